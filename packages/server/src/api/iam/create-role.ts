// CreateRole (IAM): Creates a role with its trust policy (who may assume it).

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { DEFAULT_MAX_SESSION_DURATION } from '../../services/iam/roles.js';
import { readName, readPath, readTags } from './iam-input.js';
import { roleOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const createRole = defineQueryOperation({
  name: 'CreateRole',
  service: 'iam',
  action: 'iam:CreateRole',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    path: readPath(params),
    trustPolicy: params.string('AssumeRolePolicyDocument', 1, 131072),
    description: params.optionalString('Description', 0, 1000) ?? '',
    maxSessionDuration:
      params.optionalInteger('MaxSessionDuration', 3600, 43200) ?? DEFAULT_MAX_SESSION_DURATION,
    tags: readTags(params),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName, input.path),
  async handle(input, context) {
    return { Role: roleOut(await context.services.iam.roles.create(input, context.now), true) };
  },
});
