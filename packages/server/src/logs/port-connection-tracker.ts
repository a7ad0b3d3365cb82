// Connection records of port sessions (issue 7 item 5): who (the session's owner), from where
// (the client's address), to which host and port, bytes each way and duration — read off the
// frames the relay forwards, never changed. Both directions are put back in sequence order, the
// smux byte streams are scanned by their headers only (bodies are counted, not kept, except the
// few bytes a multi-port stream names its destination with), and one record is emitted per
// connection when it closes, and for every connection still open when the session ends.

import {
  MessageType,
  PayloadFlag,
  PayloadType,
  decodeStreamConnectReply,
  decodeStreamDestination,
  parseHandshakeResponse,
  type DecodedAgentMessage,
  type JsonObject,
} from '@openssm/protocol';
import { InOrder } from './in-order.js';

export interface PortConnectionRecord {
  readonly sessionId: string;
  readonly target: string;
  /** smux stream id; 0 for a session's single connection (basic and stdio modes). */
  readonly streamId: number;
  readonly destinationHost: string;
  readonly destinationPort: number;
  /** The client's address on the data channel when the connection opened. */
  readonly clientAddress: string;
  /** Connected, or the refusal the agent sent (Denied, ConnectFailed …). */
  readonly status: string;
  readonly bytesToDestination: number;
  readonly bytesFromDestination: number;
  readonly openedAt: number;
  readonly closedAt: number;
}

export interface PortConnectionTrackerOptions {
  readonly sessionId: string;
  readonly target: string;
  /** The Session document's properties with parameters substituted. */
  readonly properties: JsonObject;
  readonly now: () => number;
  readonly onRecord: (record: PortConnectionRecord) => void;
}

type Mode = 'unknown' | 'mux' | 'multi' | 'single';

const STATUS_NAMES = ['Connected', 'Denied', 'ResolveFailed', 'ConnectFailed', 'Invalid'];
/** Bytes of a stream's start kept to read a destination or a reply (both are short). */
const PREFIX_BYTES = 300;
const MUX_MIN_CLIENT_VERSION = [1, 1, 70];

interface Connection {
  readonly streamId: number;
  host: string;
  port: number;
  status: string;
  readonly clientAddress: string;
  toDestination: number;
  fromDestination: number;
  readonly openedAt: number;
  clientFin: boolean;
  agentFin: boolean;
  clientPrefix: Uint8Array;
  agentPrefix: Uint8Array;
}

export class PortConnectionTracker {
  private readonly input = new InOrder<DecodedAgentMessage>();
  private readonly output = new InOrder<DecodedAgentMessage>();
  private readonly connections = new Map<number, Connection>();
  private mode: Mode = 'unknown';
  private clientAddress = '';
  private readonly scanners: { client: SmuxScanner; agent: SmuxScanner };
  private ended = false;

  constructor(private readonly options: PortConnectionTrackerOptions) {
    const type = options.properties['type'];
    if (type === 'OpenSSMMultiPortForwarding') this.mode = 'multi';
    else if (type !== 'LocalPortForwarding') this.mode = 'single';
    this.scanners = {
      client: new SmuxScanner((command, streamId, data) =>
        this.onFrame('client', command, streamId, data),
      ),
      agent: new SmuxScanner((command, streamId, data) =>
        this.onFrame('agent', command, streamId, data),
      ),
    };
  }

  clientAttached(address: string): void {
    this.clientAddress = address;
  }

  fromClient(message: DecodedAgentMessage): void {
    if (message.messageType !== MessageType.InputStreamData || this.ended) return;
    for (const next of this.input.accept(message.sequenceNumber, message)) this.onClient(next);
  }

  fromAgent(message: DecodedAgentMessage): void {
    if (message.messageType !== MessageType.OutputStreamData || this.ended) return;
    for (const next of this.output.accept(message.sequenceNumber, message)) this.onAgent(next);
  }

  /** The session ended: every connection still open is recorded as closed now. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const connection of [...this.connections.values()]) this.close(connection);
  }

  private onClient(message: DecodedAgentMessage): void {
    if (message.payloadType === PayloadType.HandshakeResponse && this.mode === 'unknown') {
      try {
        const { clientVersion } = parseHandshakeResponse(message.payload);
        this.mode = atLeast(clientVersion, MUX_MIN_CLIENT_VERSION) ? 'mux' : 'single';
      } catch {
        this.mode = 'single';
      }
      return;
    }
    if (message.payloadType === PayloadType.Flag && this.mode === 'single') {
      // DisconnectToPort: basic mode's local connection ended; the next one is a new record.
      if (readFlag(message.payload) === PayloadFlag.DisconnectToPort) {
        const open = this.connections.get(0);
        if (open !== undefined) this.close(open);
      }
      return;
    }
    if (message.payloadType !== PayloadType.Output) return;
    if (this.mode === 'single') this.single().toDestination += message.payload.length;
    else if (this.mode !== 'unknown') this.scanners.client.push(message.payload);
  }

  private onAgent(message: DecodedAgentMessage): void {
    if (message.payloadType === PayloadType.Flag && this.mode === 'mux') {
      // ConnectToPortError: the newest stream without an answer is the one that failed.
      if (readFlag(message.payload) === PayloadFlag.ConnectToPortError) {
        const waiting = [...this.connections.values()].filter((c) => c.fromDestination === 0);
        const failed = waiting[waiting.length - 1];
        if (failed !== undefined) failed.status = 'ConnectFailed';
      }
      return;
    }
    if (message.payloadType !== PayloadType.Output) return;
    if (this.mode === 'single') this.single().fromDestination += message.payload.length;
    else if (this.mode !== 'unknown') this.scanners.agent.push(message.payload);
  }

  private single(): Connection {
    let connection = this.connections.get(0);
    if (connection === undefined) {
      connection = this.open(0);
      this.connections.set(0, connection);
    }
    return connection;
  }

  private open(streamId: number): Connection {
    const host = this.options.properties['host'];
    const port = Number(this.options.properties['portNumber'] ?? 0);
    return {
      streamId,
      host:
        this.mode === 'multi' ? '' : typeof host === 'string' && host !== '' ? host : 'localhost',
      port: this.mode === 'multi' ? 0 : Number.isFinite(port) ? port : 0,
      status: 'Connected',
      clientAddress: this.clientAddress,
      toDestination: 0,
      fromDestination: 0,
      openedAt: this.options.now(),
      clientFin: false,
      agentFin: false,
      clientPrefix: new Uint8Array(0),
      agentPrefix: new Uint8Array(0),
    };
  }

  private onFrame(
    side: 'client' | 'agent',
    command: number,
    streamId: number,
    data: Uint8Array,
  ): void {
    if (command === 0 && side === 'client') {
      if (!this.connections.has(streamId)) this.connections.set(streamId, this.open(streamId));
      return;
    }
    const connection = this.connections.get(streamId);
    if (connection === undefined) return;
    if (command === 2) {
      if (side === 'client') connection.toDestination += data.length;
      else connection.fromDestination += data.length;
      if (this.mode === 'multi') this.readPrefix(connection, side, data);
    } else if (command === 1) {
      if (side === 'client') connection.clientFin = true;
      else connection.agentFin = true;
      if (connection.clientFin && connection.agentFin) this.close(connection);
    }
  }

  /** Multi mode: the destination and the agent's reply, and their bytes not counted as data. */
  private readPrefix(connection: Connection, side: 'client' | 'agent', data: Uint8Array): void {
    const key = side === 'client' ? 'clientPrefix' : 'agentPrefix';
    const before = connection[key];
    if (before.length >= PREFIX_BYTES) return;
    const joined = new Uint8Array(before.length + Math.min(data.length, PREFIX_BYTES));
    joined.set(before);
    joined.set(data.subarray(0, PREFIX_BYTES), before.length);
    try {
      if (side === 'client' && connection.host === '') {
        const decoded = decodeStreamDestination(joined);
        if (decoded !== undefined) {
          connection.host = decoded.destination.host;
          connection.port = decoded.destination.port;
          connection.toDestination -= decoded.length;
          connection[key] = new Uint8Array(PREFIX_BYTES);
          return;
        }
      } else if (side === 'agent') {
        const decoded = decodeStreamConnectReply(joined);
        if (decoded !== undefined) {
          connection.status = STATUS_NAMES[decoded.reply.status] ?? 'Invalid';
          connection.fromDestination -= decoded.length;
          connection[key] = new Uint8Array(PREFIX_BYTES);
          return;
        }
      }
    } catch {
      connection[key] = new Uint8Array(PREFIX_BYTES); // not what we expected: stop looking
      return;
    }
    connection[key] = joined;
  }

  private close(connection: Connection): void {
    this.connections.delete(connection.streamId);
    this.options.onRecord({
      sessionId: this.options.sessionId,
      target: this.options.target,
      streamId: connection.streamId,
      destinationHost: connection.host,
      destinationPort: connection.port,
      clientAddress: connection.clientAddress,
      status: connection.status,
      bytesToDestination: Math.max(0, connection.toDestination),
      bytesFromDestination: Math.max(0, connection.fromDestination),
      openedAt: connection.openedAt,
      closedAt: this.options.now(),
    });
  }
}

/**
 * smux v1 frames by their headers: data bodies are passed through as views of the pushed
 * chunks (never copied), so counting bytes costs next to nothing. A stream that is not smux
 * stops the scanner rather than guessing.
 */
class SmuxScanner {
  private readonly header = new Uint8Array(8);
  private headerFilled = 0;
  private remaining = 0;
  private command = 0;
  private streamId = 0;
  private broken = false;

  constructor(
    private readonly onFrame: (command: number, streamId: number, data: Uint8Array) => void,
  ) {}

  push(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length && !this.broken) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.onFrame(this.command, this.streamId, chunk.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        continue;
      }
      const take = Math.min(8 - this.headerFilled, chunk.length - offset);
      this.header.set(chunk.subarray(offset, offset + take), this.headerFilled);
      this.headerFilled += take;
      offset += take;
      if (this.headerFilled < 8) return;
      this.headerFilled = 0;
      const view = new DataView(this.header.buffer);
      if (view.getUint8(0) !== 1 || view.getUint8(1) > 3) {
        this.broken = true;
        return;
      }
      this.command = view.getUint8(1);
      this.streamId = view.getUint32(4, true);
      this.remaining = view.getUint16(2, true);
      if (this.remaining === 0 || this.command !== 2) {
        this.onFrame(this.command, this.streamId, new Uint8Array(0));
      }
    }
  }
}

function readFlag(payload: Uint8Array): number {
  if (payload.length !== 4) return -1;
  return new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0);
}

function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < minimum.length; i++) {
    const difference = (parts[i] ?? 0) - minimum[i]!;
    if (difference !== 0) return difference > 0;
  }
  return true;
}
