// DetachRolePolicy (IAM): Detaches a managed policy from a role.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const detachRolePolicy = defineQueryOperation({
  name: 'DetachRolePolicy',
  service: 'iam',
  action: 'iam:DetachRolePolicy',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    policyArn: params.string('PolicyArn', 20, 2048),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    await context.services.iam.policies.detach('role', input.roleName, input.policyArn);
    return undefined;
  },
});
