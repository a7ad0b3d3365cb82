// GetSessionToken (STS): temporary credentials for an IAM user, from 15 minutes to 36 hours.
// Given the user's MFA device (SerialNumber) and a current code (TokenCode), requests signed
// with them satisfy aws:MultiFactorAuthPresent, as on AWS.

import { CodedError } from '@openssm/protocol';
import { SESSION_TOKEN_DURATION } from '../../services/iam/sts.js';
import { callerOf, defineQueryOperation } from '../iam/query-operation.js';

/** AWS's SerialNumber rule (an ARN or a hardware serial). */
const SERIAL_NUMBER = /^[\w+=/:,.@-]*$/;
const TOKEN_CODE = /^\d{6}$/;

export const getSessionToken = defineQueryOperation({
  name: 'GetSessionToken',
  service: 'sts',
  action: 'sts:GetSessionToken',
  // AWS answers it for every IAM user: no policy grants or denies it.
  alwaysAllowed: true,
  parse: (params) => {
    const serialNumber = params.optionalString('SerialNumber', 9, 256, SERIAL_NUMBER);
    const tokenCode = params.optionalString('TokenCode', 6, 6, TOKEN_CODE);
    if ((serialNumber === undefined) !== (tokenCode === undefined)) {
      throw new CodedError('ValidationError', 'SerialNumber and TokenCode must be given together.');
    }
    return {
      durationSeconds: params.optionalInteger(
        'DurationSeconds',
        SESSION_TOKEN_DURATION.min,
        SESSION_TOKEN_DURATION.max,
      ),
      mfa:
        serialNumber === undefined || tokenCode === undefined
          ? undefined
          : { serialNumber, tokenCode },
    };
  },
  resource: () => '*',
  async handle(input, context) {
    if (context.sessionCredentials === true) {
      throw new CodedError(
        'AccessDeniedException',
        'Cannot call GetSessionToken with session credentials.',
      );
    }
    const { credentials } = await context.services.iam.sts.getSessionToken(
      callerOf(context),
      input,
      context.now,
    );
    return {
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: new Date(credentials.expiresAt),
      },
    };
  },
});
