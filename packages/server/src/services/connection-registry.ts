// Which managed nodes have a live control channel on this server. The gateway marks nodes
// connected and disconnected; DescribeInstanceInformation reads PingStatus from here. In
// scale-out mode a Redis-backed registry will share this across replicas.

export interface ConnectionRegistry {
  isConnected(instanceId: string): boolean;
  /** Every node connected now (for filtering a listing by PingStatus before it is paged). */
  connectedIds(): readonly string[];
  markConnected(instanceId: string): void;
  markDisconnected(instanceId: string): void;
}

export function createInProcessConnectionRegistry(): ConnectionRegistry {
  const connected = new Map<string, number>();
  return {
    isConnected: (instanceId) => (connected.get(instanceId) ?? 0) > 0,
    connectedIds: () => [...connected.keys()],
    // Counted, so a reconnect that overlaps the old socket's close keeps the node Online.
    markConnected: (instanceId) => connected.set(instanceId, (connected.get(instanceId) ?? 0) + 1),
    markDisconnected: (instanceId) => {
      const count = (connected.get(instanceId) ?? 0) - 1;
      if (count > 0) connected.set(instanceId, count);
      else connected.delete(instanceId);
    },
  };
}
