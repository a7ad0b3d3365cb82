// DeleteRole (IAM): Deletes a role that has no policies left.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const deleteRole = defineQueryOperation({
  name: 'DeleteRole',
  service: 'iam',
  action: 'iam:DeleteRole',
  parse: (params) => ({ roleName: readName(params, 'RoleName', NAME_LIMITS.role) }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    await context.services.iam.roles.delete(input.roleName);
    return undefined;
  },
});
