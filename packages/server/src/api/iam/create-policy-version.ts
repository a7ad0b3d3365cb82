// CreatePolicyVersion (IAM): Adds a version to a managed policy (at most five), optionally as the default.

import { versionOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const createPolicyVersion = defineQueryOperation({
  name: 'CreatePolicyVersion',
  service: 'iam',
  action: 'iam:CreatePolicyVersion',
  parse: (params) => ({
    policyArn: params.string('PolicyArn', 20, 2048),
    document: params.string('PolicyDocument', 1, 131072),
    setAsDefault: params.optionalBoolean('SetAsDefault') ?? false,
  }),
  resource: (input, _context) => input.policyArn,
  async handle(input, context) {
    return {
      PolicyVersion: versionOut(
        await context.services.iam.policies.createVersion(
          input.policyArn,
          input.document,
          input.setAsDefault,
          context.now,
        ),
        input.setAsDefault,
      ),
    };
  },
});
