// GetRole (IAM): Returns a role with its trust policy and tags.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { roleOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const getRole = defineQueryOperation({
  name: 'GetRole',
  service: 'iam',
  action: 'iam:GetRole',
  parse: (params) => ({ roleName: readName(params, 'RoleName', NAME_LIMITS.role) }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    return { Role: roleOut(await context.services.iam.roles.get(input.roleName), true) };
  },
});
