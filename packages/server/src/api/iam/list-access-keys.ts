// ListAccessKeys (IAM): Lists a user's access keys (ids and status, never secrets).

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { keyMetadataOut } from './iam-output.js';
import { callerOrFail, callerUserName, entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listAccessKeys = defineQueryOperation({
  name: 'ListAccessKeys',
  service: 'iam',
  action: 'iam:ListAccessKeys',
  parse: (params) => ({
    userName: params.has('UserName') ? readName(params, 'UserName', NAME_LIMITS.user) : undefined,
  }),
  resource: (input, context) =>
    entityResource(context, 'user', input.userName ?? callerUserName(context) ?? ''),
  async handle(input, context) {
    const userName = input.userName ?? callerOrFail(context);
    const keys = await context.services.iam.users.listAccessKeys(userName);
    return {
      AccessKeyMetadata: keys.map((key) => keyMetadataOut(userName, key)),
      IsTruncated: false,
    };
  },
});
