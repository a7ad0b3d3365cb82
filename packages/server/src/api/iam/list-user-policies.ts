// ListUserPolicies (IAM): Lists the names of a user's inline policies.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listUserPolicies = defineQueryOperation({
  name: 'ListUserPolicies',
  service: 'iam',
  action: 'iam:ListUserPolicies',
  parse: (params) => ({ userName: readName(params, 'UserName', NAME_LIMITS.user) }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    return {
      PolicyNames: (await context.services.iam.policies.listInline('user', input.userName)).map(
        (policy) => policy.policyName,
      ),
      IsTruncated: false,
    };
  },
});
