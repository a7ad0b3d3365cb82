// ListRoles (IAM): Lists roles by name, optionally under a path prefix, in pages.

import { iamArn } from '../../services/iam/iam-arns.js';
import { readPaging, readPathPrefix } from './iam-input.js';
import { pageOut, roleOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const listRoles = defineQueryOperation({
  name: 'ListRoles',
  service: 'iam',
  action: 'iam:ListRoles',
  parse: (params) => ({ pathPrefix: readPathPrefix(params), page: readPaging(params) }),
  resource: (_input, context) => iamArn(context.services.identity, 'role', '/', '*'),
  async handle(input, context) {
    return pageOut(
      'Roles',
      await context.services.iam.roles.list(input.pathPrefix, input.page),
      (role) => roleOut(role),
    );
  },
});
