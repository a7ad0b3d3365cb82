// DeleteLoginProfile (IAM): Removes a user's console password.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const deleteLoginProfile = defineQueryOperation({
  name: 'DeleteLoginProfile',
  service: 'iam',
  action: 'iam:DeleteLoginProfile',
  parse: (params) => ({ userName: readName(params, 'UserName', NAME_LIMITS.user) }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.users.deleteLoginProfile(input.userName);
    return undefined;
  },
});
