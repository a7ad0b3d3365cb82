// CreateUser (IAM): Creates an IAM user, optionally with a path and tags.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readPath, readTags } from './iam-input.js';
import { userOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const createUser = defineQueryOperation({
  name: 'CreateUser',
  service: 'iam',
  action: 'iam:CreateUser',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    path: readPath(params),
    tags: readTags(params),
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName, input.path),
  async handle(input, context) {
    return {
      User: userOut(
        await context.services.iam.users.create(
          input.userName,
          input.path,
          input.tags,
          context.now,
        ),
        true,
      ),
    };
  },
});
