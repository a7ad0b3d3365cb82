// GetConnectionStatus: whether a node has a live control channel (lower-case values, as AWS).

import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, reader } from './input.js';

export const getConnectionStatus = defineOperation({
  name: 'GetConnectionStatus',
  auth: 'sigv4',
  action: 'ssm:GetConnectionStatus',
  parse: (body) => ({ target: boundedString(reader(body), 'Target', 1, 400) }),
  resource: ({ target }, { services }) => instanceArn(services.identity, target),
  handle: ({ target }, { services }) =>
    Promise.resolve({
      Target: target,
      Status: services.connections.isConnected(target) ? 'connected' : 'notconnected',
    }),
});
