// DeregisterManagedInstance: the node's credentials stop working at once, its sessions end and its
// control channel is closed, and the commands still waiting for it end Undeliverable (it will
// never report).

import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, INSTANCE_ID_PATTERN, reader } from './input.js';

/** What a session's client prints when its node is deregistered under it. */
export const NODE_DEREGISTERED_REASON = 'The node was deregistered.';

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
    await services.sessions.endForNode(instanceId, now, NODE_DEREGISTERED_REASON);
    await services.commands.nodeDeregistered(instanceId);
    return {};
  },
});
