// DetachUserPolicy (IAM): Detaches a managed policy from a user.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const detachUserPolicy = defineQueryOperation({
  name: 'DetachUserPolicy',
  service: 'iam',
  action: 'iam:DetachUserPolicy',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    policyArn: params.string('PolicyArn', 20, 2048),
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.policies.detach('user', input.userName, input.policyArn);
    return undefined;
  },
});
