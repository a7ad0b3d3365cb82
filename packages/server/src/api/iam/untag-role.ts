// UntagRole (IAM): Removes tags from a role by key.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readTagKeys } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const untagRole = defineQueryOperation({
  name: 'UntagRole',
  service: 'iam',
  action: 'iam:UntagRole',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    keys: readTagKeys(params),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    await context.services.iam.roles.untag(input.roleName, input.keys);
    return undefined;
  },
});
