// RequestManagedInstanceRoleToken: a node signs with its RSA key (ssm-wire §9.2–§9.3) and gets
// temporary credentials for its role, which it then uses for ordinary SigV4 calls.

import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, epochSeconds, reader } from './input.js';

export const requestManagedInstanceRoleToken = defineOperation({
  name: 'RequestManagedInstanceRoleToken',
  auth: 'instance-rsa',
  action: 'ssm:RequestManagedInstanceRoleToken',
  parse: (body) => ({ fingerprint: boundedString(reader(body), 'Fingerprint', 1, 256) }),
  resource: (_input, { services, principal }) =>
    instanceArn(services.identity, principal?.id ?? '*'),
  async handle({ fingerprint }, { services, principal, now }) {
    const credentials = await services.instances.issueCredentials(
      principal?.id ?? '',
      fingerprint,
      now,
    );
    return {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      TokenExpirationDate: epochSeconds(credentials.expiresAt),
      UpdateKeyPair: false,
    };
  },
});
