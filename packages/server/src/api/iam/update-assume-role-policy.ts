// UpdateAssumeRolePolicy (IAM): Replaces a role's trust policy.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const updateAssumeRolePolicy = defineQueryOperation({
  name: 'UpdateAssumeRolePolicy',
  service: 'iam',
  action: 'iam:UpdateAssumeRolePolicy',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    trustPolicy: params.string('PolicyDocument', 1, 131072),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    await context.services.iam.roles.updateTrustPolicy(input.roleName, input.trustPolicy);
    return undefined;
  },
});
