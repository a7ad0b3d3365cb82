// UpdateGroup (IAM): Renames a group or moves it to another path.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readPath } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const updateGroup = defineQueryOperation({
  name: 'UpdateGroup',
  service: 'iam',
  action: 'iam:UpdateGroup',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    newName: params.has('NewGroupName')
      ? readName(params, 'NewGroupName', NAME_LIMITS.group)
      : undefined,
    newPath: params.has('NewPath') ? readPath(params, 'NewPath') : undefined,
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    await context.services.iam.groups.update(input.groupName, input.newName, input.newPath);
    return undefined;
  },
});
