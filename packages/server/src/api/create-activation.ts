// CreateActivation: a code and id that let nodes register (ssm-wire §2.3, §9.1).

import { activationArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import {
  boundedString,
  optionalBoundedString,
  optionalInteger,
  optionalTimestamp,
  reader,
  tagList,
} from './input.js';

export const createActivation = defineOperation({
  name: 'CreateActivation',
  auth: 'sigv4',
  action: 'ssm:CreateActivation',
  parse(body) {
    const input = reader(body);
    return {
      description: optionalBoundedString(input, 'Description', 0, 256) ?? '',
      defaultInstanceName: optionalBoundedString(input, 'DefaultInstanceName', 0, 256) ?? '',
      iamRole: boundedString(input, 'IamRole', 1, 64),
      registrationLimit: optionalInteger(input, 'RegistrationLimit', 1, 1000) ?? 1,
      expiresAt: optionalTimestamp(input, 'ExpirationDate'),
      tags: tagList(input, 'Tags', 1000),
    };
  },
  resource: (_input, { services }) => activationArn(services.identity, '*'),
  async handle(input, { services, now }) {
    const { activationId, activationCode } = await services.activations.create(input, now);
    return { ActivationId: activationId, ActivationCode: activationCode };
  },
});
