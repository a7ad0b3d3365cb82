// Authenticates an API request with the scheme its operation requires, looking keys up in
// storage: SigV4 with an access key, or the RSA variant with a managed node's registered key.

import { CodedError } from '@openssm/protocol';
import { verifyRsaSigV4, verifySigV4 } from '../auth/sigv4-verifier.js';
import { instanceArn, type ServerIdentity } from '../services/services.js';
import type { Storage } from '../storage/repositories.js';
import type { Authenticator } from './aws-json-dispatcher.js';

export interface RequestAuthenticatorOptions {
  readonly storage: Storage;
  readonly identity: ServerIdentity;
  readonly now: () => number;
}

export function createRequestAuthenticator(options: RequestAuthenticatorOptions): Authenticator {
  const { storage, identity } = options;
  const lookups = {
    region: identity.region,
    services: ['ssm'],
    lookupAccessKey: (accessKeyId: string) => storage.accessKeys.get(accessKeyId),
    lookupInstancePublicKey: async (instanceId: string) => {
      const instance = await storage.instances.get(instanceId);
      return instance === undefined || instance.deregisteredAt !== null
        ? undefined
        : instance.publicKey;
    },
  };
  return async (scheme, request) => {
    const verified =
      scheme === 'sigv4'
        ? await verifySigV4(request, { ...lookups, now: options.now() })
        : await verifyRsaSigV4(request, { ...lookups, now: options.now() });
    // The operation is named by a header: unsigned, a captured request could be replayed as
    // another operation. Every AWS client signs it.
    if (!verified.signedHeaders.includes('x-amz-target')) {
      throw new CodedError('IncompleteSignature', 'The X-Amz-Target header must be signed.');
    }
    if ('principal' in verified) return verified.principal;
    return {
      kind: 'node',
      id: verified.instanceId,
      arn: instanceArn(identity, verified.instanceId),
    };
  };
}
