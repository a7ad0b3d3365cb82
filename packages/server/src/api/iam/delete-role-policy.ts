// DeleteRolePolicy (IAM): Deletes an inline policy of a role.

import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const deleteRolePolicy = defineQueryOperation({
  name: 'DeleteRolePolicy',
  service: 'iam',
  action: 'iam:DeleteRolePolicy',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    await context.services.iam.policies.deleteInline('role', input.roleName, input.policyName);
    return undefined;
  },
});
