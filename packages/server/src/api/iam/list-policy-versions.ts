// ListPolicyVersions (IAM): Lists the versions of a managed policy, newest first.

import { versionMetadataOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const listPolicyVersions = defineQueryOperation({
  name: 'ListPolicyVersions',
  service: 'iam',
  action: 'iam:ListPolicyVersions',
  parse: (params) => ({ policyArn: params.string('PolicyArn', 20, 2048) }),
  resource: (input, _context) => input.policyArn,
  async handle(input, context) {
    const { versions, defaultVersionId } = await context.services.iam.policies.listVersions(
      input.policyArn,
    );
    return {
      Versions: versions.map((version) =>
        versionMetadataOut(version, version.versionId === defaultVersionId),
      ),
      IsTruncated: false,
    };
  },
});
