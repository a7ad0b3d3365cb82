// DeletePolicy (IAM): Deletes a managed policy that is attached nowhere and has only its default version.

import { defineQueryOperation } from './query-operation.js';

export const deletePolicy = defineQueryOperation({
  name: 'DeletePolicy',
  service: 'iam',
  action: 'iam:DeletePolicy',
  parse: (params) => ({ policyArn: params.string('PolicyArn', 20, 2048) }),
  resource: (input, _context) => input.policyArn,
  async handle(input, context) {
    await context.services.iam.policies.delete(input.policyArn);
    return undefined;
  },
});
