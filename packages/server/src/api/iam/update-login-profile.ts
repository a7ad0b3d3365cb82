// UpdateLoginProfile (IAM): Changes a user's console password.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const updateLoginProfile = defineQueryOperation({
  name: 'UpdateLoginProfile',
  service: 'iam',
  action: 'iam:UpdateLoginProfile',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    password: params.string('Password', 1, 128),
    resetRequired: params.optionalBoolean('PasswordResetRequired') ?? false,
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    await context.services.iam.users.setPassword(
      input.userName,
      input.password,
      input.resetRequired,
      context.now,
      false,
    );
    return undefined;
  },
});
