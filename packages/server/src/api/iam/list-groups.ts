// ListGroups (IAM): Lists groups by name, optionally under a path prefix, in pages.

import { iamArn } from '../../services/iam/iam-arns.js';
import { readPaging, readPathPrefix } from './iam-input.js';
import { groupOut, pageOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const listGroups = defineQueryOperation({
  name: 'ListGroups',
  service: 'iam',
  action: 'iam:ListGroups',
  parse: (params) => ({ pathPrefix: readPathPrefix(params), page: readPaging(params) }),
  resource: (_input, context) => iamArn(context.services.identity, 'group', '/', '*'),
  async handle(input, context) {
    return pageOut(
      'Groups',
      await context.services.iam.groups.list(input.pathPrefix, input.page),
      groupOut,
    );
  },
});
