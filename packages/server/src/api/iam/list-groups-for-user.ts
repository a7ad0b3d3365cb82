// ListGroupsForUser (IAM): Lists the groups a user belongs to.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { groupOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listGroupsForUser = defineQueryOperation({
  name: 'ListGroupsForUser',
  service: 'iam',
  action: 'iam:ListGroupsForUser',
  parse: (params) => ({ userName: readName(params, 'UserName', NAME_LIMITS.user) }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    return {
      Groups: (await context.services.iam.groups.listForUser(input.userName)).map(groupOut),
      IsTruncated: false,
    };
  },
});
