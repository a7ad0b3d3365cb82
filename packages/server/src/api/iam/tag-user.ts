// TagUser (IAM): Adds or replaces tags on a user.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readTags } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const tagUser = defineQueryOperation({
  name: 'TagUser',
  service: 'iam',
  action: 'iam:TagUser',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    tags: readTags(params),
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.users.tag(input.userName, input.tags);
    return undefined;
  },
});
