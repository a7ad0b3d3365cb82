// PutUserPolicy (IAM): Adds or replaces an inline policy of a user (validated: a malformed document is refused).

import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const putUserPolicy = defineQueryOperation({
  name: 'PutUserPolicy',
  service: 'iam',
  action: 'iam:PutUserPolicy',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
    document: params.string('PolicyDocument', 1, 131072),
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.policies.putInline(
      'user',
      input.userName,
      input.policyName,
      input.document,
    );
    return undefined;
  },
});
