// GetCallerIdentity (STS): who the credentials belong to. Allowed for every authenticated
// caller, as on AWS (no policy can deny it).

import { callerOf, defineQueryOperation } from '../iam/query-operation.js';

export const getCallerIdentity = defineQueryOperation({
  name: 'GetCallerIdentity',
  service: 'sts',
  action: 'sts:GetCallerIdentity',
  alwaysAllowed: true,
  parse: () => ({}),
  resource: () => '*',
  handle(_input, context) {
    const caller = callerOf(context);
    const userId =
      caller.kind === 'user'
        ? caller.id
        : caller.kind === 'assumed-role'
          ? caller.id
          : `${caller.roleName ?? ''}:${caller.id}`;
    return Promise.resolve({
      UserId: userId,
      Account: context.services.identity.accountId,
      Arn: caller.arn,
    });
  },
});
