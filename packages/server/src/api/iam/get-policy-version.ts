// GetPolicyVersion (IAM): Returns one version of a managed policy with its document.

import { VERSION_ID } from './iam-input.js';
import { versionOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const getPolicyVersion = defineQueryOperation({
  name: 'GetPolicyVersion',
  service: 'iam',
  action: 'iam:GetPolicyVersion',
  parse: (params) => ({
    policyArn: params.string('PolicyArn', 20, 2048),
    versionId: params.string('VersionId', 2, 128, VERSION_ID),
  }),
  resource: (input, _context) => input.policyArn,
  async handle(input, context) {
    const { version, isDefault } = await context.services.iam.policies.getVersion(
      input.policyArn,
      input.versionId,
    );
    return { PolicyVersion: versionOut(version, isDefault) };
  },
});
