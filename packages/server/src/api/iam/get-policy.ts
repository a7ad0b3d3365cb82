// GetPolicy (IAM): Returns a managed policy (the account's or an AWS managed one).

import { policyOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const getPolicy = defineQueryOperation({
  name: 'GetPolicy',
  service: 'iam',
  action: 'iam:GetPolicy',
  parse: (params) => ({ policyArn: params.string('PolicyArn', 20, 2048) }),
  resource: (input, _context) => input.policyArn,
  async handle(input, context) {
    return { Policy: policyOut(await context.services.iam.policies.get(input.policyArn)) };
  },
});
