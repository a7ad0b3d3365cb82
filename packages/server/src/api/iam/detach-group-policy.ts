// DetachGroupPolicy (IAM): Detaches a managed policy from a group.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const detachGroupPolicy = defineQueryOperation({
  name: 'DetachGroupPolicy',
  service: 'iam',
  action: 'iam:DetachGroupPolicy',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    policyArn: params.string('PolicyArn', 20, 2048),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    await context.services.iam.policies.detach('group', input.groupName, input.policyArn);
    return undefined;
  },
});
