// STS: who am I (GetCallerIdentity), and AssumeRole — temporary credentials for a role whose
// trust policy admits the caller and whose use the caller's own policies allow.

import { CodedError } from '@openssm/protocol';
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

export interface StsService {
  assumeRole(
    caller: Principal,
    input: AssumeRoleInput,
    requestContext: Readonly<Record<string, ContextInput>>,
    now: number,
  ): Promise<AssumedRole>;
}

export function createStsService(
  deps: IamDependencies,
  resolvePrincipal: PrincipalPolicyResolver,
): StsService {
  return {
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
  const strip = (arn: string) => arn.replace(/^arn:[^:]+:/, '');
  return strip(stored) === strip(given);
}
