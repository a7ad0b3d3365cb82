// AttachUserPolicy (IAM): Attaches a managed policy to a user.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const attachUserPolicy = defineQueryOperation({
  name: 'AttachUserPolicy',
  service: 'iam',
  action: 'iam:AttachUserPolicy',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    policyArn: params.string('PolicyArn', 20, 2048),
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.policies.attach(
      'user',
      input.userName,
      input.policyArn,
      context.now,
    );
    return undefined;
  },
});
