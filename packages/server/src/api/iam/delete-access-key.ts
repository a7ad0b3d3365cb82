// DeleteAccessKey (IAM): Deletes an access key; requests signed with it fail from now on.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { ACCESS_KEY_ID, readName } from './iam-input.js';
import { callerOrFail, callerUserName, entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const deleteAccessKey = defineQueryOperation({
  name: 'DeleteAccessKey',
  service: 'iam',
  action: 'iam:DeleteAccessKey',
  parse: (params) => ({
    userName: params.has('UserName') ? readName(params, 'UserName', NAME_LIMITS.user) : undefined,
    accessKeyId: params.string('AccessKeyId', 16, 128, ACCESS_KEY_ID),
  }),
  resource: (input, context) =>
    entityResource(context, 'user', input.userName ?? callerUserName(context) ?? ''),
  async handle(input, context) {
    await context.services.iam.users.deleteAccessKey(
      input.userName ?? callerOrFail(context),
      input.accessKeyId,
    );
    return undefined;
  },
});
