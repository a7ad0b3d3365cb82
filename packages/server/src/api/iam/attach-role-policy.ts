// AttachRolePolicy (IAM): Attaches a managed policy to a role.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const attachRolePolicy = defineQueryOperation({
  name: 'AttachRolePolicy',
  service: 'iam',
  action: 'iam:AttachRolePolicy',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    policyArn: params.string('PolicyArn', 20, 2048),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    await context.services.iam.policies.attach(
      'role',
      input.roleName,
      input.policyArn,
      context.now,
    );
    return undefined;
  },
});
