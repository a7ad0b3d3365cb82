// GetAccessKeyLastUsed (IAM): Tells when, where and for which service an access key was last used.

import { iamArn } from '../../services/iam/iam-arns.js';
import { ACCESS_KEY_ID } from './iam-input.js';
import { defineQueryOperation } from './query-operation.js';

export const getAccessKeyLastUsed = defineQueryOperation({
  name: 'GetAccessKeyLastUsed',
  service: 'iam',
  action: 'iam:GetAccessKeyLastUsed',
  parse: (params) => ({ accessKeyId: params.string('AccessKeyId', 16, 128, ACCESS_KEY_ID) }),
  resource: (_input, context) => iamArn(context.services.identity, 'user', '/', '*'),
  async handle(input, context) {
    const { userName, key } = await context.services.iam.users.accessKeyLastUsed(input.accessKeyId);
    return {
      UserName: userName,
      AccessKeyLastUsed:
        key.lastUsed === null
          ? { ServiceName: 'N/A', Region: 'N/A' }
          : {
              LastUsedDate: new Date(key.lastUsed.at),
              ServiceName: key.lastUsed.service,
              Region: key.lastUsed.region,
            },
    };
  },
});
