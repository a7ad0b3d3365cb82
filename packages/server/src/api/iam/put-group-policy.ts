// PutGroupPolicy (IAM): Adds or replaces an inline policy of a group (validated: a malformed document is refused).

import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const putGroupPolicy = defineQueryOperation({
  name: 'PutGroupPolicy',
  service: 'iam',
  action: 'iam:PutGroupPolicy',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
    document: params.string('PolicyDocument', 1, 131072),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    await context.services.iam.policies.putInline(
      'group',
      input.groupName,
      input.policyName,
      input.document,
    );
    return undefined;
  },
});
