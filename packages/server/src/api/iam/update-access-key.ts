// UpdateAccessKey (IAM): Activates or deactivates an access key.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { ACCESS_KEY_ID, readName } from './iam-input.js';
import { callerOrFail, callerUserName, entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const updateAccessKey = defineQueryOperation({
  name: 'UpdateAccessKey',
  service: 'iam',
  action: 'iam:UpdateAccessKey',
  parse: (params) => ({
    userName: params.has('UserName') ? readName(params, 'UserName', NAME_LIMITS.user) : undefined,
    accessKeyId: params.string('AccessKeyId', 16, 128, ACCESS_KEY_ID),
    active: params.string('Status', 6, 8, /^(Active|Inactive)$/) === 'Active',
  }),
  resource: (input, context) =>
    entityResource(context, 'user', input.userName ?? callerUserName(context) ?? ''),
  async handle(input, context) {
    await context.services.iam.users.updateAccessKey(
      input.userName ?? callerOrFail(context),
      input.accessKeyId,
      input.active,
    );
    return undefined;
  },
});
