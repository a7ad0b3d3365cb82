// DeleteUserPolicy (IAM): Deletes an inline policy of a user.

import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const deleteUserPolicy = defineQueryOperation({
  name: 'DeleteUserPolicy',
  service: 'iam',
  action: 'iam:DeleteUserPolicy',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.policies.deleteInline('user', input.userName, input.policyName);
    return undefined;
  },
});
