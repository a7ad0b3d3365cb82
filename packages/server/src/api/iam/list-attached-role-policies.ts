// ListAttachedRolePolicies (IAM): Lists the managed policies attached to a role.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName, readPathPrefix } from './iam-input.js';
import { attachedOut } from './iam-output.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const listAttachedRolePolicies = defineQueryOperation({
  name: 'ListAttachedRolePolicies',
  service: 'iam',
  action: 'iam:ListAttachedRolePolicies',
  parse: (params) => ({
    roleName: readName(params, 'RoleName', NAME_LIMITS.role),
    pathPrefix: readPathPrefix(params),
  }),
  resource: (input, context) => entityResource(context, 'role', input.roleName),
  async handle(input, context) {
    return {
      AttachedPolicies: attachedOut(
        await context.services.iam.policies.listAttached('role', input.roleName, input.pathPrefix),
      ),
      IsTruncated: false,
    };
  },
});
