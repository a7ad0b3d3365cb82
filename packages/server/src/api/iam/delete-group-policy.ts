// DeleteGroupPolicy (IAM): Deletes an inline policy of a group.

import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const deleteGroupPolicy = defineQueryOperation({
  name: 'DeleteGroupPolicy',
  service: 'iam',
  action: 'iam:DeleteGroupPolicy',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    await context.services.iam.policies.deleteInline('group', input.groupName, input.policyName);
    return undefined;
  },
});
