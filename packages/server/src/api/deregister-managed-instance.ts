// DeregisterManagedInstance: the node's credentials stop working at once, and the commands still
// waiting for it end Undeliverable (it will never report).

import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, INSTANCE_ID_PATTERN, reader } from './input.js';

export const deregisterManagedInstance = defineOperation({
  name: 'DeregisterManagedInstance',
  auth: 'sigv4',
  action: 'ssm:DeregisterManagedInstance',
  parse: (body) => ({
    instanceId: boundedString(reader(body), 'InstanceId', 20, 20, INSTANCE_ID_PATTERN),
  }),
  resource: ({ instanceId }, { services }) => instanceArn(services.identity, instanceId),
  async handle({ instanceId }, { services, now }) {
    await services.instances.deregister(instanceId, now);
    await services.commands.nodeDeregistered(instanceId);
    return {};
  },
});
