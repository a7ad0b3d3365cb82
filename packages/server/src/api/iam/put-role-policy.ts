// PutRolePolicy (IAM): Adds or replaces an inline policy of a role (validated: a malformed document is refused).

import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const putRolePolicy = defineQueryOperation({
  name: 'PutRolePolicy',
  service: 'iam',
  action: 'iam:PutRolePolicy',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
    document: params.string('PolicyDocument', 1, 131072),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    await context.services.iam.policies.putInline(
      'role',
      input.roleName,
      input.policyName,
      input.document,
    );
    return undefined;
  },
});
