// AssumeRole (STS): temporary credentials (15 minutes up to the role's MaxSessionDuration) for
// a role whose trust policy admits the caller and whose use the caller's policies allow.

import { callerOf, defineQueryOperation } from '../iam/query-operation.js';

/** AWS's RoleSessionName rule. */
const SESSION_NAME = /^[\w+=,.@-]*$/;
const MIN_DURATION_SECONDS = 900;
const MAX_DURATION_SECONDS = 43200;

export const assumeRole = defineQueryOperation({
  name: 'AssumeRole',
  service: 'sts',
  action: 'sts:AssumeRole',
  // Decided by the trust policy and the caller's policies together, in the STS service.
  alwaysAllowed: true,
  parse: (params) => ({
    roleArn: params.string('RoleArn', 20, 2048),
    sessionName: params.string('RoleSessionName', 2, 64, SESSION_NAME),
    durationSeconds: params.optionalInteger(
      'DurationSeconds',
      MIN_DURATION_SECONDS,
      MAX_DURATION_SECONDS,
    ),
  }),
  resource: (input) => input.roleArn,
  async handle(input, context) {
    const assumed = await context.services.iam.sts.assumeRole(
      callerOf(context),
      input,
      { 'aws:SourceIp': context.sourceIp },
      context.now,
    );
    return {
      Credentials: {
        AccessKeyId: assumed.credentials.accessKeyId,
        SecretAccessKey: assumed.credentials.secretAccessKey,
        SessionToken: assumed.credentials.sessionToken,
        Expiration: new Date(assumed.credentials.expiresAt),
      },
      AssumedRoleUser: { AssumedRoleId: assumed.assumedRoleId, Arn: assumed.arn },
    };
  },
});
