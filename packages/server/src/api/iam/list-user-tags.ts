// ListUserTags (IAM): Lists a user's tags.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { tagsOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listUserTags = defineQueryOperation({
  name: 'ListUserTags',
  service: 'iam',
  action: 'iam:ListUserTags',
  parse: (params) => ({ userName: readName(params, 'UserName', NAME_LIMITS.user) }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    return {
      Tags: tagsOut((await context.services.iam.users.get(input.userName)).tags),
      IsTruncated: false,
    };
  },
});
