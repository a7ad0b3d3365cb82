// UpdateManagedInstancePublicKey: key rotation, signed with the node's current (old) key.

import { assertNodePublicKey } from '../services/node-keys.js';
import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, reader } from './input.js';

export const updateManagedInstancePublicKey = defineOperation({
  name: 'UpdateManagedInstancePublicKey',
  auth: 'instance-rsa',
  action: 'ssm:UpdateManagedInstancePublicKey',
  parse(body) {
    const input = reader(body);
    if (input.string('NewPublicKeyType') !== 'Rsa')
      throw input.fail('NewPublicKeyType', 'must be Rsa');
    const publicKey = boundedString(input, 'NewPublicKey', 392, 4096, /^[A-Za-z0-9+/]+=*$/);
    assertNodePublicKey(publicKey);
    return { publicKey };
  },
  resource: (_input, { services, principal }) =>
    instanceArn(services.identity, principal?.id ?? '*'),
  async handle({ publicKey }, { services, principal }) {
    await services.instances.updatePublicKey(principal?.id ?? '', publicKey);
    return {};
  },
});
