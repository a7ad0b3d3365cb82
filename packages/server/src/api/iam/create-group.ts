// CreateGroup (IAM): Creates a group.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readPath } from './iam-input.js';
import { groupOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const createGroup = defineQueryOperation({
  name: 'CreateGroup',
  service: 'iam',
  action: 'iam:CreateGroup',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    path: readPath(params),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName, input.path),
  async handle(input, context) {
    return {
      Group: groupOut(
        await context.services.iam.groups.create(input.groupName, input.path, context.now),
      ),
    };
  },
});
