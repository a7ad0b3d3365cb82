// DeleteActivation: nodes already registered stay registered; new registrations are refused.

import { activationArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, reader } from './input.js';

export const deleteActivation = defineOperation({
  name: 'DeleteActivation',
  auth: 'sigv4',
  action: 'ssm:DeleteActivation',
  parse: (body) => ({ activationId: boundedString(reader(body), 'ActivationId', 36, 36) }),
  resource: ({ activationId }, { services }) => activationArn(services.identity, activationId),
  async handle({ activationId }, { services }) {
    await services.activations.delete(activationId);
    return {};
  },
});
