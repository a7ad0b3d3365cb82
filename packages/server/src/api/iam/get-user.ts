// GetUser (IAM): Returns a user (the caller when UserName is absent), with its tags.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { userOut } from './iam-output.js';
import { callerOrFail, callerUserName, entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const getUser = defineQueryOperation({
  name: 'GetUser',
  service: 'iam',
  action: 'iam:GetUser',
  parse: (params) => ({
    userName: params.has('UserName') ? readName(params, 'UserName', NAME_LIMITS.user) : undefined,
  }),
  resource: (input, context) =>
    entityResource(context, 'user', input.userName ?? callerUserName(context) ?? ''),
  async handle(input, context) {
    return {
      User: userOut(
        await context.services.iam.users.get(input.userName ?? callerOrFail(context)),
        true,
      ),
    };
  },
});
