// ListAttachedUserPolicies (IAM): Lists the managed policies attached to a user.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readPathPrefix } from './iam-input.js';
import { attachedOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listAttachedUserPolicies = defineQueryOperation({
  name: 'ListAttachedUserPolicies',
  service: 'iam',
  action: 'iam:ListAttachedUserPolicies',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    pathPrefix: readPathPrefix(params),
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    return {
      AttachedPolicies: attachedOut(
        await context.services.iam.policies.listAttached('user', input.userName, input.pathPrefix),
      ),
      IsTruncated: false,
    };
  },
});
