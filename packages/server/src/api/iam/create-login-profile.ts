// CreateLoginProfile (IAM): Gives a user a console password (hashed with scrypt; never stored or logged in clear).

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const createLoginProfile = defineQueryOperation({
  name: 'CreateLoginProfile',
  service: 'iam',
  action: 'iam:CreateLoginProfile',
  parse: (params) => ({
    userName: readName(params, 'UserName', NAME_LIMITS.user),
    password: params.string('Password', 1, 128),
    resetRequired: params.optionalBoolean('PasswordResetRequired') ?? false,
  }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    const profile = await context.services.iam.users.setPassword(
      input.userName,
      input.password,
      input.resetRequired,
      context.now,
      true,
    );
    return {
      LoginProfile: {
        UserName: input.userName,
        CreateDate: new Date(profile.createdAt),
        PasswordResetRequired: profile.passwordResetRequired,
      },
    };
  },
});
