// DeleteGroup (IAM): Deletes a group that has no members or policies left.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const deleteGroup = defineQueryOperation({
  name: 'DeleteGroup',
  service: 'iam',
  action: 'iam:DeleteGroup',
  parse: (params) => ({ groupName: readName(params, 'GroupName', NAME_LIMITS.group) }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    await context.services.iam.groups.delete(input.groupName);
    return undefined;
  },
});
