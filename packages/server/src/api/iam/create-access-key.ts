// CreateAccessKey (IAM): Creates a long-term access key for a user (the caller when UserName is absent); the secret is shown only here.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { callerOrFail, callerUserName, entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const createAccessKey = defineQueryOperation({
  name: 'CreateAccessKey',
  service: 'iam',
  action: 'iam:CreateAccessKey',
  parse: (params) => ({
    userName: params.has('UserName') ? readName(params, 'UserName', NAME_LIMITS.user) : undefined,
  }),
  resource: (input, context) =>
    entityResource(context, 'user', input.userName ?? callerUserName(context) ?? ''),
  async handle(input, context) {
    const userName = input.userName ?? callerOrFail(context);
    const key = await context.services.iam.users.createAccessKey(userName, context.now);
    return {
      AccessKey: {
        UserName: userName,
        AccessKeyId: key.accessKeyId,
        Status: 'Active',
        SecretAccessKey: key.secretAccessKey,
        CreateDate: new Date(context.now),
      },
    };
  },
});
