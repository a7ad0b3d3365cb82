// GetRolePolicy (IAM): Returns an inline policy of a role.

import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const getRolePolicy = defineQueryOperation({
  name: 'GetRolePolicy',
  service: 'iam',
  action: 'iam:GetRolePolicy',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    const policy = await context.services.iam.policies.getInline(
      'role',
      input.roleName,
      input.policyName,
    );
    return {
      RoleName: input.roleName,
      PolicyName: policy.policyName,
      PolicyDocument: encodeURIComponent(policy.document),
    };
  },
});
