// STS: who am I (GetCallerIdentity), and AssumeRole — temporary credentials for a role whose
// trust policy admits the caller and whose use the caller's own policies allow.

import { CodedError } from '@openssm/protocol';
import { createFailureThrottle } from '../../auth/failure-throttle.js';
import {
  createRequestContext,
  evaluateAssumeRole,
  parsePolicyDocument,
  type ContextInput,
} from '../../policy/engine/index.js';
import type { Principal } from '../../storage/records.js';
import type { IssuedCredentials } from '../credential-store.js';
import { assumedRoleArn } from './iam-arns.js';
import type { IamDependencies } from './iam-context.js';
import type { PrincipalPolicyResolver } from './principal-policies.js';

export const MIN_SESSION_DURATION = 900;

export interface AssumeRoleInput {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly durationSeconds: number | undefined;
}

export interface AssumedRole {
  readonly credentials: IssuedCredentials & {
    readonly sessionToken: string;
    readonly expiresAt: number;
  };
  readonly assumedRoleId: string;
  readonly arn: string;
}

export interface GetSessionTokenInput {
  readonly durationSeconds: number | undefined;
  /** The user's virtual MFA device ARN (`arn:…:iam::<account>:mfa/<user name>`), with a code. */
  readonly mfa: { readonly serialNumber: string; readonly tokenCode: string } | undefined;
}

export interface SessionToken {
  readonly credentials: IssuedCredentials & {
    readonly sessionToken: string;
    readonly expiresAt: number;
  };
}

/** AWS's limits for an IAM user's GetSessionToken: 15 minutes to 36 hours, 12 by default. */
export const SESSION_TOKEN_DURATION = { min: 900, max: 129_600, default: 43_200 } as const;
/** Wrong MFA codes one user may give in a burst; then one a minute, as at console sign-in. */
const MFA_FAILURE_BURST = 5;
const MFA_FAILURES_PER_SECOND = 1 / 60;

export interface StsService {
  assumeRole(
    caller: Principal,
    input: AssumeRoleInput,
    requestContext: Readonly<Record<string, ContextInput>>,
    now: number,
  ): Promise<AssumedRole>;
  /**
   * Temporary credentials for an IAM user signed in with a long-term key; with a correct code
   * of the user's MFA device they carry aws:MultiFactorAuthPresent = true.
   */
  getSessionToken(
    caller: Principal,
    input: GetSessionTokenInput,
    now: number,
  ): Promise<SessionToken>;
}

export function createStsService(
  deps: IamDependencies,
  resolvePrincipal: PrincipalPolicyResolver,
): StsService {
  // A stolen access key must not buy unlimited guesses at the 6-digit code.
  const mfaFailures = createFailureThrottle(MFA_FAILURE_BURST, MFA_FAILURES_PER_SECOND);
  return {
    async getSessionToken(caller, input, now) {
      if (caller.kind !== 'user') {
        throw new CodedError(
          'AccessDeniedException',
          `Cannot call GetSessionToken as ${caller.arn}: only IAM users with a long-term access key can.`,
        );
      }
      let multiFactor = false;
      if (input.mfa !== undefined) {
        const user = await deps.iam.users.getById(caller.id);
        const device = await deps.iam.mfaDevices.get(caller.id);
        if (
          user === undefined ||
          device?.enabled !== true ||
          !sameArn(input.mfa.serialNumber, mfaDeviceArn(deps.identity, user.userName)) ||
          deps.verifyMfaCode === undefined
        ) {
          throw new CodedError(
            'AccessDeniedException',
            `MultiFactorAuthentication failed: ${caller.arn} has no MFA device ${input.mfa.serialNumber}.`,
          );
        }
        mfaFailures.check(caller.id, now);
        if (!(await deps.verifyMfaCode(caller.id, input.mfa.tokenCode, now))) {
          mfaFailures.recordFailure(caller.id, now);
          throw new CodedError(
            'AccessDeniedException',
            'MultiFactorAuthentication failed with invalid MFA one time pass code.',
          );
        }
        multiFactor = true;
      }
      const duration = input.durationSeconds ?? SESSION_TOKEN_DURATION.default;
      const credentials = await deps.credentials.issue(
        caller,
        now,
        now + duration * 1000,
        multiFactor,
      );
      return { credentials: credentials as SessionToken['credentials'] };
    },

    async assumeRole(caller, input, requestContext, now) {
      const name = input.roleArn.slice(input.roleArn.lastIndexOf('/') + 1);
      const role = await deps.iam.roles.get(name);
      // The ARN must name exactly this role (path and partition aside), not just end in its name.
      if (role === undefined || !sameRole(role.arn, input.roleArn)) {
        throw new CodedError(
          'AccessDeniedException',
          `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.roleArn}`,
        );
      }
      const duration = input.durationSeconds ?? 3600;
      if (duration > role.maxSessionDuration) {
        throw new CodedError(
          'ValidationError',
          `The requested DurationSeconds exceeds the MaxSessionDuration set for this role (${role.maxSessionDuration}).`,
        );
      }
      const callerPolicies = await resolvePrincipal(caller);
      const decision = evaluateAssumeRole({
        action: 'sts:AssumeRole',
        roleArn: role.arn,
        principal: callerPolicies.requestPrincipal,
        context: createRequestContext({ ...callerPolicies.context, ...requestContext }),
        policies: callerPolicies.policies,
        trustPolicy: {
          name: `${role.roleName}/trust`,
          document: parsePolicyDocument(role.trustPolicy, 'trust', {
            maxLength: Number.MAX_SAFE_INTEGER,
          }),
        },
      });
      if (decision.decision !== 'Allow') {
        throw new CodedError(
          'AccessDeniedException',
          `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${role.arn}`,
        );
      }
      const arn = assumedRoleArn(deps.identity, role.roleName, input.sessionName);
      const assumedRoleId = `${role.roleId}:${input.sessionName}`;
      const principal: Principal = {
        kind: 'assumed-role',
        id: assumedRoleId,
        name: input.sessionName,
        arn,
        roleName: role.roleName,
      };
      const credentials = await deps.credentials.issue(principal, now, now + duration * 1000);
      return {
        credentials: credentials as AssumedRole['credentials'],
        assumedRoleId,
        arn,
      };
    },
  };
}

/** Same account, path and name; either partition (a role ARN copied from AWS docs works). */
function sameRole(stored: string, given: string): boolean {
  return sameArn(stored, given);
}

function sameArn(stored: string, given: string): boolean {
  const strip = (arn: string) => arn.replace(/^arn:[^:]+:/, '');
  return strip(stored) === strip(given);
}

/** A user's one virtual MFA device, named as AWS names virtual devices: `…:mfa/<user name>`. */
export function mfaDeviceArn(identity: IamDependencies['identity'], userName: string): string {
  return `arn:${identity.partition}:iam::${identity.accountId}:mfa/${userName}`;
}
