// Authenticates an API request with the scheme its operation requires: SigV4 with an access key
// (IAM users, assumed roles, nodes' temporary credentials), or the RSA variant with a managed
// node's registered key. Sources that keep failing are throttled; successful key uses are
// recorded for GetAccessKeyLastUsed.

import { CodedError } from '@openssm/protocol';
import { createFailureThrottle, type FailureThrottle } from '../auth/failure-throttle.js';
import { verifyRsaSigV4, verifySigV4 } from '../auth/sigv4-verifier.js';
import type { CredentialStore } from '../services/credential-store.js';
import { instanceArn, type ServerIdentity } from '../services/services.js';
import type { Principal } from '../storage/records.js';
import type { Storage } from '../storage/repositories.js';
import type { RawRequest } from './raw-request.js';

/** What the signature's credential scope must name. */
export interface SigningScope {
  /** `ssm`, `iam`, `sts`, … */
  readonly service: string;
  /** The region the scope must name: the server's, or `us-east-1` for global IAM. */
  readonly region: string;
  /** JSON protocols name the operation in a header, which must then be signed. */
  readonly signedTarget: boolean;
}

/** Who made a request, and what the way they proved it tells the policy engine. */
export interface AuthenticatedPrincipal extends Principal {
  /**
   * A console session opened with a TOTP code, or temporary credentials issued against one
   * (GetSessionToken): aws:MultiFactorAuthPresent.
   */
  readonly multiFactor?: boolean;
  /** Signed with temporary credentials (a session token), not a long-term key. */
  readonly sessionCredentials?: boolean;
}

export type Authenticator = (
  scheme: 'sigv4' | 'instance-rsa',
  request: RawRequest,
  scope: SigningScope,
) => Promise<AuthenticatedPrincipal>;

export interface RequestAuthenticatorOptions {
  readonly storage: Storage;
  readonly credentials: CredentialStore;
  readonly identity: ServerIdentity;
  readonly now: () => number;
  readonly throttle?: FailureThrottle;
}

/** A key's last use is written at most this often: a busy key must not cost a write a request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Failures that mean "wrong or unknown credentials", as opposed to a malformed request. */
const AUTHENTICATION_FAILURES: ReadonlySet<string> = new Set([
  'InvalidSignatureException',
  'UnrecognizedClientException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'SignatureExpired',
  'ExpiredTokenException',
]);

export function createRequestAuthenticator(options: RequestAuthenticatorOptions): Authenticator {
  const { storage, identity, credentials } = options;
  const throttle = options.throttle ?? createFailureThrottle();

  async function principalOf(
    verified: Principal,
    accessKeyId: string,
    now: number,
    scope: SigningScope,
  ) {
    const key = await storage.accessKeys.get(accessKeyId);
    if (
      key !== undefined &&
      (key.lastUsed === null || now - key.lastUsed.at >= LAST_USED_RESOLUTION_MS)
    ) {
      await storage.accessKeys.recordUse(accessKeyId, {
        at: now,
        service: scope.service,
        region: scope.region,
      });
    }
    if (verified.kind !== 'user') return verified;
    // Names and paths can change after a key was issued: the user record is the truth.
    const user = await storage.iam.users.getById(verified.id);
    if (user === undefined)
      throw new CodedError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    const authenticated: AuthenticatedPrincipal = {
      ...verified,
      name: user.userName,
      arn: user.arn,
      // As on AWS: absent for a long-term key, true or false for a user's session credentials.
      ...(key?.expiresAt === null || key === undefined
        ? {}
        : { sessionCredentials: true, multiFactor: key.multiFactor === true }),
    };
    return authenticated;
  }

  return async (scheme, request, scope) => {
    const now = options.now();
    throttle.check(request.sourceIp, now);
    const lookups = {
      region: scope.region,
      services: [scope.service],
      now,
      lookupAccessKey: (accessKeyId: string) => credentials.lookup(accessKeyId),
      lookupInstancePublicKey: async (instanceId: string) => {
        const instance = await storage.instances.get(instanceId);
        return instance === undefined || instance.deregisteredAt !== null
          ? undefined
          : instance.publicKey;
      },
    };
    try {
      const verified =
        scheme === 'sigv4'
          ? await verifySigV4(request, lookups)
          : await verifyRsaSigV4(request, lookups);
      // A JSON operation is named by a header: unsigned, a captured request could be replayed
      // as another operation. Every AWS client signs it.
      if (scope.signedTarget && !verified.signedHeaders.includes('x-amz-target')) {
        throw new CodedError('IncompleteSignature', 'The X-Amz-Target header must be signed.');
      }
      if ('principal' in verified)
        return await principalOf(verified.principal, verified.accessKeyId, now, scope);
      const instance = await storage.instances.get(verified.instanceId);
      return {
        kind: 'node',
        id: verified.instanceId,
        name: verified.instanceId,
        arn: instanceArn(identity, verified.instanceId),
        ...(instance === undefined ? {} : { roleName: instance.iamRole }),
      };
    } catch (error) {
      if (error instanceof CodedError && AUTHENTICATION_FAILURES.has(error.code)) {
        throttle.recordFailure(request.sourceIp, now);
      }
      throw error;
    }
  };
}
