// GetLoginProfile (IAM): Tells whether a user has a console password, and since when.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const getLoginProfile = defineQueryOperation({
  name: 'GetLoginProfile',
  service: 'iam',
  action: 'iam:GetLoginProfile',
  parse: (params) => ({ userName: readName(params, 'UserName', NAME_LIMITS.user) }),
  resource: (input, context) => entityResource(context, 'user', input.userName),
  async handle(input, context) {
    const profile = await context.services.iam.users.getLoginProfile(input.userName);
    return {
      LoginProfile: {
        UserName: input.userName,
        CreateDate: new Date(profile.createdAt),
        PasswordResetRequired: profile.passwordResetRequired,
      },
    };
  },
});
