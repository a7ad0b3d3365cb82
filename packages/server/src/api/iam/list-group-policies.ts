// ListGroupPolicies (IAM): Lists the names of a group's inline policies.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listGroupPolicies = defineQueryOperation({
  name: 'ListGroupPolicies',
  service: 'iam',
  action: 'iam:ListGroupPolicies',
  parse: (params) => ({ groupName: readName(params, 'GroupName', NAME_LIMITS.group) }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    return {
      PolicyNames: (await context.services.iam.policies.listInline('group', input.groupName)).map(
        (policy) => policy.policyName,
      ),
      IsTruncated: false,
    };
  },
});
