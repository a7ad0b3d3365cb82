// ListUsers (IAM): Lists users by name, optionally under a path prefix, in pages.

import { iamArn } from '../../services/iam/iam-arns.js';
import { readPaging, readPathPrefix } from './iam-input.js';
import { pageOut, userOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const listUsers = defineQueryOperation({
  name: 'ListUsers',
  service: 'iam',
  action: 'iam:ListUsers',
  parse: (params) => ({ pathPrefix: readPathPrefix(params), page: readPaging(params) }),
  resource: (_input, context) => iamArn(context.services.identity, 'user', '/', '*'),
  async handle(input, context) {
    return pageOut(
      'Users',
      await context.services.iam.users.list(input.pathPrefix, input.page),
      (user) => userOut(user),
    );
  },
});
