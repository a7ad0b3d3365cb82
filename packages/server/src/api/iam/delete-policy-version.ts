// DeletePolicyVersion (IAM): Deletes a version of a managed policy other than its default.

import { VERSION_ID } from './iam-input.js';
import { defineQueryOperation } from './query-operation.js';

export const deletePolicyVersion = defineQueryOperation({
  name: 'DeletePolicyVersion',
  service: 'iam',
  action: 'iam:DeletePolicyVersion',
  parse: (params) => ({
    policyArn: params.string('PolicyArn', 20, 2048),
    versionId: params.string('VersionId', 2, 128, VERSION_ID),
  }),
  resource: (input, _context) => input.policyArn,
  async handle(input, context) {
    await context.services.iam.policies.deleteVersion(input.policyArn, input.versionId);
    return undefined;
  },
});
