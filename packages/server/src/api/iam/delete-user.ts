// DeleteUser (IAM): Deletes a user that has no keys, login profile, policies or group memberships left.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const deleteUser = defineQueryOperation({
  name: 'DeleteUser',
  service: 'iam',
  action: 'iam:DeleteUser',
  parse: (params) => ({ userName: readName(params, 'UserName', NAME_LIMITS.user) }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.users.delete(input.userName);
    return undefined;
  },
});
