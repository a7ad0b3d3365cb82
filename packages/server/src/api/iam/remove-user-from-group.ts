// RemoveUserFromGroup (IAM): Removes a user from a group.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const removeUserFromGroup = defineQueryOperation({
  name: 'RemoveUserFromGroup',
  service: 'iam',
  action: 'iam:RemoveUserFromGroup',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    userName: readName(params, 'UserName', NAME_LIMITS.user),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    await context.services.iam.groups.removeUser(input.groupName, input.userName);
    return undefined;
  },
});
