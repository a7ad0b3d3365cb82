// ListRoleTags (IAM): Lists a role's tags.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { tagsOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listRoleTags = defineQueryOperation({
  name: 'ListRoleTags',
  service: 'iam',
  action: 'iam:ListRoleTags',
  parse: (params) => ({ roleName: readName(params, 'RoleName', NAME_LIMITS.role) }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    return {
      Tags: tagsOut((await context.services.iam.roles.get(input.roleName)).tags),
      IsTruncated: false,
    };
  },
});
