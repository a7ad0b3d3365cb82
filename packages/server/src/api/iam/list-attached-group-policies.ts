// ListAttachedGroupPolicies (IAM): Lists the managed policies attached to a group.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readPathPrefix } from './iam-input.js';
import { attachedOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listAttachedGroupPolicies = defineQueryOperation({
  name: 'ListAttachedGroupPolicies',
  service: 'iam',
  action: 'iam:ListAttachedGroupPolicies',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    pathPrefix: readPathPrefix(params),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    return {
      AttachedPolicies: attachedOut(
        await context.services.iam.policies.listAttached(
          'group',
          input.groupName,
          input.pathPrefix,
        ),
      ),
      IsTruncated: false,
    };
  },
});
