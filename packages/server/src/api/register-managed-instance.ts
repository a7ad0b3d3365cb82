// RegisterManagedInstance: unsigned by design (ssm-wire §9.1) — the activation code is the
// credential. Returns the new node's id; the node then authenticates with its RSA key.

import { assertNodePublicKey } from '../services/node-keys.js';
import { defineOperation } from './operation.js';
import { MAX_TAGS_PER_RESOURCE } from '../services/instance-service.js';
import { boundedString, optionalBoundedString, reader, tagList } from './input.js';

export const registerManagedInstance = defineOperation({
  name: 'RegisterManagedInstance',
  auth: 'anonymous',
  action: 'ssm:RegisterManagedInstance',
  parse(body) {
    const input = reader(body);
    const publicKeyType = optionalBoundedString(input, 'PublicKeyType', 1, 16) ?? 'Rsa';
    if (publicKeyType !== 'Rsa') throw input.fail('PublicKeyType', 'must be Rsa');
    // base64 DER SubjectPublicKeyInfo of an RSA key: 392 characters for RSA-2048.
    const publicKey = boundedString(input, 'PublicKey', 392, 4096, /^[A-Za-z0-9+/]+=*$/);
    assertNodePublicKey(publicKey);
    return {
      activationCode: boundedString(input, 'ActivationCode', 20, 250),
      activationId: boundedString(input, 'ActivationId', 36, 36),
      publicKey,
      fingerprint: boundedString(input, 'Fingerprint', 1, 256),
      // OpenSSM's additions (the installer's --name and --tags); AWS's agent sends neither.
      name: optionalBoundedString(input, 'InstanceName', 1, 256),
      tags: tagList(input, 'Tags', MAX_TAGS_PER_RESOURCE),
    };
  },
  resource: () => '*',
  async handle(input, { services, now }) {
    const instance = await services.instances.register(input, now);
    return { InstanceId: instance.instanceId };
  },
});
