// TagRole (IAM): Adds or replaces tags on a role.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readTags } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const tagRole = defineQueryOperation({
  name: 'TagRole',
  service: 'iam',
  action: 'iam:TagRole',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    tags: readTags(params),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    await context.services.iam.roles.tag(input.roleName, input.tags);
    return undefined;
  },
});
