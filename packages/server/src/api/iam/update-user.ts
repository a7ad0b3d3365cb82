// UpdateUser (IAM): Renames a user or moves it to another path.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readPath } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const updateUser = defineQueryOperation({
  name: 'UpdateUser',
  service: 'iam',
  action: 'iam:UpdateUser',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    newName: params.has('NewUserName')
      ? readName(params, 'NewUserName', NAME_LIMITS.user)
      : undefined,
    newPath: params.has('NewPath') ? readPath(params, 'NewPath') : undefined,
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.users.update(input.userName, input.newName, input.newPath);
    return undefined;
  },
});
