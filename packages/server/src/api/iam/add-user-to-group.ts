// AddUserToGroup (IAM): Adds a user to a group.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const addUserToGroup = defineQueryOperation({
  name: 'AddUserToGroup',
  service: 'iam',
  action: 'iam:AddUserToGroup',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    userName: readName(params, 'UserName', NAME_LIMITS.user),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    await context.services.iam.groups.addUser(input.groupName, input.userName);
    return undefined;
  },
});
