// SetDefaultPolicyVersion (IAM): Makes a version the one that takes effect.

import { VERSION_ID } from './iam-input.js';
import { defineQueryOperation } from './query-operation.js';

export const setDefaultPolicyVersion = defineQueryOperation({
  name: 'SetDefaultPolicyVersion',
  service: 'iam',
  action: 'iam:SetDefaultPolicyVersion',
  parse: (params) => ({
    policyArn: params.string('PolicyArn', 20, 2048),
    versionId: params.string('VersionId', 2, 128, VERSION_ID),
  }),
  resource: (input, _context) => input.policyArn,
  async handle(input, context) {
    await context.services.iam.policies.setDefaultVersion(
      input.policyArn,
      input.versionId,
      context.now,
    );
    return undefined;
  },
});
