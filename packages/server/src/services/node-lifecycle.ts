// Nodes that are gone for good (issue 9): an Auto Scaling group terminates instances without
// uninstalling, and their registrations would pile up. The maintenance sweep deregisters nodes
// unseen for --node-deregister-after — exactly as DeregisterManagedInstance would (credentials
// revoked, sessions ended, waiting commands Undeliverable) — and audits each.

import type { ServiceEvent } from '../audit/cloudtrail-record.js';
import type { CommandService } from './command-service.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { InstanceService } from './instance-service.js';
import type { SessionService } from './session-service.js';
import { instanceArn, type ServerIdentity } from './services.js';

export const AUTO_DEREGISTERED_REASON = 'The node was deregistered: unseen for too long.';

export interface NodeSweepDependencies {
  readonly identity: ServerIdentity;
  readonly instances: InstanceService;
  readonly sessions: SessionService;
  readonly commands: CommandService;
  readonly connections: ConnectionRegistry;
  readonly audit: (event: ServiceEvent) => void;
}

/** Deregisters every node not connected and last seen before `now - unseenForMs`; returns them. */
export async function deregisterUnseenNodes(
  deps: NodeSweepDependencies,
  unseenForMs: number,
  now: number,
): Promise<string[]> {
  const unseenBefore = now - unseenForMs;
  const gone: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.instances.list(
      {
        pingStatus: {
          connectedIds: deps.connections.connectedIds(),
          inactiveSince: unseenBefore,
          online: false,
          connectionLost: false,
          inactive: true,
        },
      },
      { limit: 100, ...(cursor === undefined ? {} : { cursor }) },
    );
    for (const node of page.items) {
      await deps.instances.deregister(node.instanceId, now);
      await deps.sessions.endForNode(node.instanceId, now, AUTO_DEREGISTERED_REASON);
      await deps.commands.nodeDeregistered(node.instanceId);
      const lastSeen = node.lastPingAt ?? node.registeredAt;
      deps.audit({
        name: 'NodeAutoDeregistered',
        time: now,
        resources: [instanceArn(deps.identity, node.instanceId)],
        details: {
          instanceId: node.instanceId,
          name: node.name,
          lastSeen: new Date(lastSeen).toISOString(),
          unseenForSeconds: Math.round((now - lastSeen) / 1000),
          deregisterAfterSeconds: Math.round(unseenForMs / 1000),
        },
      });
      gone.push(node.instanceId);
    }
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return gone;
}
