// GetGroupPolicy (IAM): Returns an inline policy of a group.

import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const getGroupPolicy = defineQueryOperation({
  name: 'GetGroupPolicy',
  service: 'iam',
  action: 'iam:GetGroupPolicy',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    const policy = await context.services.iam.policies.getInline(
      'group',
      input.groupName,
      input.policyName,
    );
    return {
      GroupName: input.groupName,
      PolicyName: policy.policyName,
      PolicyDocument: encodeURIComponent(policy.document),
    };
  },
});
