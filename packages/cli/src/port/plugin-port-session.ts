// session-manager-plugin's Port sessions, as AWS's plugin runs them (ssm-wire §5.2): with
// `type` LocalPortForwarding a listener on localPortNumber (0: any free port) whose connections
// go over smux when the agent is newer than 3.0.196.0 and one at a time otherwise; without it
// (AWS-StartSSHSession) stdin and stdout are the connection, for ssh's ProxyCommand.

import { createServer, type Server, type Socket } from 'node:net';
import type { ClientHandshakeOutcome } from '@openssm/channel';
import { PayloadFlag, PayloadType, encodeFlagPayload, type JsonObject } from '@openssm/protocol';
import type { Host } from '../host/host.js';
import type { SessionConnection } from '../session/session-connection.js';
import type { ListenerSwitch } from '../session/listener-switch.js';
import { channelClosedMessage, sessionTimedOutMessage } from '../session/session-messages.js';
import { BasicClient, MuxClient } from './port-client.js';

/** AWS's plugin multiplexes with agents newer than this (ssm-wire §5.2). */
export const MUX_MIN_AGENT_VERSION = '3.0.196.0';
/** …and sends the TerminateSession flag only to agents newer than this (§4.10). */
const TERMINATE_FLAG_MIN_AGENT_VERSION = '2.3.722.0';
const EOF_DRAIN_MS = 2000;

export type PortOutcome =
  | { readonly kind: 'closed' }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'stdin-ended' }
  | { readonly kind: 'failed'; readonly error: Error };

export interface PluginPortOptions {
  readonly sessionId: string;
  readonly connection: SessionConnection;
  readonly listeners: ListenerSwitch;
  readonly handshake: ClientHandshakeOutcome;
  readonly io: Pick<Host, 'stdin' | 'stdout' | 'signals'>;
  /** Where the listener binds (AWS's plugin: localhost). */
  readonly bindAddress?: string;
}

export function runPluginPortSession(options: PluginPortOptions): Promise<PortOutcome> {
  const { handshake, io, connection, sessionId } = options;
  const properties = asObject(handshake.properties);
  const type = typeof properties['type'] === 'string' ? properties['type'] : '';
  const newer = (version: string) => compareVersions(handshake.agentVersion, version) > 0;
  return new Promise<PortOutcome>((resolve) => {
    const cleanups: (() => void)[] = [];
    let finished = false;
    const finish = (outcome: PortOutcome): void => {
      if (finished) return;
      finished = true;
      for (const cleanup of cleanups.splice(0).reverse()) cleanup();
      connection.close();
      resolve(outcome);
    };
    const common = {
      onCustomerMessage: (text: string) => io.stdout.write(`${text}\n`),
      onClosed: (closed: { output: string }) => {
        io.stdout.write(channelClosedMessage(sessionId, closed.output));
        finish({ kind: 'closed' });
      },
      onTimedOut: () => {
        io.stdout.write(sessionTimedOutMessage(sessionId));
        finish({ kind: 'timed-out' });
      },
      onFailed: (error: Error) => finish({ kind: 'failed', error }),
    };
    // Ctrl-C: tell the agent (AWS's plugin does for agents that understand the flag).
    const interrupt = (): void => {
      if (newer(TERMINATE_FLAG_MIN_AGENT_VERSION) || type === 'LocalPortForwarding') {
        void connection
          .send(PayloadType.Flag, encodeFlagPayload(PayloadFlag.TerminateSession))
          .catch(() => undefined);
      }
      finish({ kind: 'interrupted' });
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      cleanups.push(io.signals.on(signal, interrupt));

    if (type !== 'LocalPortForwarding') {
      runStdio(options, common, cleanups, finish);
      return;
    }
    const mux = newer(MUX_MIN_AGENT_VERSION);
    const client = mux
      ? new MuxClient(connection, {
          onConnectToPortError: () =>
            io.stdout.write('\nConnection to destination port failed, check SSM Agent logs.\n'),
        })
      : new BasicClient(connection);
    cleanups.push(() => client.close());
    options.listeners.bind({ ...common, onPayload: (message) => client.onPayload(message) });
    const server: Server = createServer(
      { allowHalfOpen: true, noDelay: true },
      (socket: Socket) => {
        if (mux) (client as MuxClient).forward(socket);
        else (client as BasicClient).forward(socket);
      },
    );
    cleanups.push(() => server.close());
    const localPort = Number(properties['localPortNumber'] ?? 0) || 0;
    server.once('error', (error) => finish({ kind: 'failed', error }));
    server.listen(localPort, options.bindAddress ?? '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : localPort;
      io.stdout.write(
        `Port ${port} opened for sessionId ${sessionId}.\nWaiting for connections...\n`,
      );
    });
  });
}

/** stdin → Output payloads, Output payloads → stdout; stdin's end ends the session. */
function runStdio(
  options: PluginPortOptions,
  common: Omit<Parameters<ListenerSwitch['bind']>[0], 'onPayload'>,
  cleanups: (() => void)[],
  finish: (outcome: PortOutcome) => void,
): void {
  const { io, connection } = options;
  const stdoutHighWater = 1024 * 1024;
  options.listeners.bind({
    ...common,
    onPayload: (message) => {
      if (message.payloadType !== PayloadType.Output) return true;
      if (io.stdout.writableLength > stdoutHighWater) return false;
      io.stdout.write(message.payload);
      return true;
    },
  });
  const onData = (chunk: Buffer): void => {
    io.stdin.pause();
    void sendAll(connection, chunk).then(() => io.stdin.resume());
  };
  const onEnd = (): void => void drain(connection).then(() => finish({ kind: 'stdin-ended' }));
  io.stdin.on('data', onData);
  io.stdin.once('end', onEnd);
  cleanups.push(() => {
    io.stdin.off('data', onData);
    io.stdin.off('end', onEnd);
    io.stdin.pause();
  });
  io.stdin.resume();
}

/** Lets what was read last reach the agent before we leave (at most EOF_DRAIN_MS). */
async function drain(connection: SessionConnection): Promise<void> {
  const deadline = Date.now() + EOF_DRAIN_MS;
  while (connection.unacknowledged > 0 && Date.now() < deadline) {
    await new Promise((wake) => setTimeout(wake, 10));
  }
}

async function sendAll(connection: SessionConnection, bytes: Uint8Array): Promise<void> {
  try {
    await connection.send(PayloadType.Output, bytes);
  } catch {
    // The channel closed; its owner reports why.
  }
}

function asObject(value: unknown): JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : {};
}

export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
