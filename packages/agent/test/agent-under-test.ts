// Command lines for an agent under test against the fake gateway: `register` with the gateway's
// activation, and `run` flags that keep tests quick (fast pings, short timeouts, fast reconnects).

import type { FakeGateway } from './fake-gateway.js';
import { ACTIVATION_CODE, ACTIVATION_ID } from './fake-gateway.js';

export function registerArgs(gateway: FakeGateway, stateDir: string): string[] {
  return [
    '--server',
    gateway.url,
    '--activation-code',
    ACTIVATION_CODE,
    '--activation-id',
    ACTIVATION_ID,
    '--state-dir',
    stateDir,
  ];
}

export function quickRunArgs(stateDir: string): string[] {
  return [
    '--state-dir',
    stateDir,
    '--ping-interval',
    '0.2',
    '--connection-timeout',
    '1',
    '--reconnect-base',
    '0.05',
    '--reconnect-cap',
    '0.2',
  ];
}
