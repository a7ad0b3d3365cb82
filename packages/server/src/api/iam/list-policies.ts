// ListPolicies (IAM): Lists managed policies: AWS managed, the account's (Local), or All; optionally only attached ones.

import type { PolicyScope } from '../../services/iam/policies.js';
import { iamArn } from '../../services/iam/iam-arns.js';
import { readPaging, readPathPrefix } from './iam-input.js';
import { pageOut, policyOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const listPolicies = defineQueryOperation({
  name: 'ListPolicies',
  service: 'iam',
  action: 'iam:ListPolicies',
  parse: (params) => ({
    scope: (params.optionalString('Scope', 3, 5, /^(All|AWS|Local)$/) ?? 'All') as PolicyScope,
    onlyAttached: params.optionalBoolean('OnlyAttached') ?? false,
    pathPrefix: readPathPrefix(params),
    page: readPaging(params),
  }),
  resource: (_input, context) => iamArn(context.services.identity, 'policy', '/', '*'),
  async handle(input, context) {
    return pageOut(
      'Policies',
      await context.services.iam.policies.list(
        input.scope,
        input.onlyAttached,
        input.pathPrefix,
        input.page,
      ),
      policyOut,
    );
  },
});
