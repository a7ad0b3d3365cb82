// GetGroup (IAM): Returns a group and its members.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { groupOut, userOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const getGroup = defineQueryOperation({
  name: 'GetGroup',
  service: 'iam',
  action: 'iam:GetGroup',
  parse: (params) => ({ groupName: readName(params, 'GroupName', NAME_LIMITS.group) }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    const { group, members } = await context.services.iam.groups.get(input.groupName);
    return {
      Group: groupOut(group),
      Users: members.map((user) => userOut(user)),
      IsTruncated: false,
    };
  },
});
