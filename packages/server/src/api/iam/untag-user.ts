// UntagUser (IAM): Removes tags from a user by key.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readTagKeys } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const untagUser = defineQueryOperation({
  name: 'UntagUser',
  service: 'iam',
  action: 'iam:UntagUser',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    keys: readTagKeys(params),
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.users.untag(input.userName, input.keys);
    return undefined;
  },
});
