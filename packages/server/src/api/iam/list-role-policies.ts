// ListRolePolicies (IAM): Lists the names of a role's inline policies.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listRolePolicies = defineQueryOperation({
  name: 'ListRolePolicies',
  service: 'iam',
  action: 'iam:ListRolePolicies',
  parse: (params) => ({ roleName: readName(params, 'RoleName', NAME_LIMITS.role) }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    return {
      PolicyNames: (await context.services.iam.policies.listInline('role', input.roleName)).map(
        (policy) => policy.policyName,
      ),
      IsTruncated: false,
    };
  },
});
