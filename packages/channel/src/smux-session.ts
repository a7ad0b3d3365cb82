// An smux v1 session over a data channel's Output byte stream (ssm-wire §5.4), for both ends: the
// client (AWS's plugin role) opens streams with odd ids from 3, the server (the agent) accepts
// them. Platform-free: frames go out through `send`, whose promise is the producer's
// backpressure; bytes come in through `receive`. Version 1 has no per-stream window on the
// wire, so the receiving side bounds memory with `backlogBytes` (what streams could not hand on
// yet) and refuses data-channel messages while it is too high — the channel then resends them.

import { CodedError, SmuxCommand, SmuxDecoder, encodeSmuxFrame } from '@openssm/protocol';

export type SmuxRole = 'client' | 'server';

export interface SmuxSessionOptions {
  readonly role: SmuxRole;
  /**
   * Queues a run of encoded frames on the byte stream; resolves once they are accepted (the
   * channel's window had room). Called synchronously in write order, so frames never interleave.
   */
  readonly send: (bytes: Uint8Array) => Promise<void>;
  /** Largest data in one PSH frame we write; read per write (the handshake may raise it). */
  readonly maxFrameData: () => number;
  /** A stream the peer opened (server role); attach handlers before returning. */
  readonly onStream?: (stream: SmuxStream) => void;
}

/** xtaci/smux numbers a client's streams 3, 5, 7, … and a server's 2, 4, … (ssm-wire §5.4). */
const FIRST_STREAM_ID: Readonly<Record<SmuxRole, number>> = { client: 3, server: 2 };
/** smux's own frame limit: the uint16 length field. */
const MAX_FRAME_DATA = 0xffff;

export class SmuxSession {
  private readonly streams = new Map<number, SmuxStream>();
  private readonly decoder: SmuxDecoder;
  private nextStreamId: number;
  private closed = false;

  constructor(private readonly options: SmuxSessionOptions) {
    this.nextStreamId = FIRST_STREAM_ID[options.role];
    this.decoder = new SmuxDecoder((frame) =>
      this.onFrame(frame.command, frame.streamId, frame.data),
    );
  }

  get streamCount(): number {
    return this.streams.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes received for streams and not yet taken by their consumers. */
  get backlogBytes(): number {
    let total = 0;
    for (const stream of this.streams.values()) total += stream.backlogBytes;
    return total;
  }

  /** Opens a stream (client role). */
  open(): SmuxStream {
    if (this.closed) throw new CodedError('ChannelClosed', 'the smux session is closed');
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SmuxStream(id, this);
    this.streams.set(id, stream);
    void this.options.send(encodeSmuxFrame({ command: SmuxCommand.Syn, streamId: id })).catch(
      () => undefined, // a closed channel ends the whole session; its owner reports it
    );
    return stream;
  }

  /** Feeds bytes of the peer's stream; throws CodedError when they are not smux v1. */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    this.decoder.push(bytes);
  }

  /** Ends every stream (their consumers see `onClose`); later input is ignored. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.abort();
    this.streams.clear();
  }

  /** @internal */
  writeFrames(streamId: number, data: Uint8Array): Promise<void> {
    const limit = Math.max(1, Math.min(MAX_FRAME_DATA, this.options.maxFrameData()));
    const frameCount = Math.ceil(data.length / limit);
    const bytes = new Uint8Array(data.length + frameCount * 8);
    let at = 0;
    for (let offset = 0; offset < data.length; offset += limit) {
      const piece = data.subarray(offset, Math.min(data.length, offset + limit));
      const view = new DataView(bytes.buffer, at, 8);
      view.setUint8(0, 1);
      view.setUint8(1, SmuxCommand.Psh);
      view.setUint16(2, piece.length, true);
      view.setUint32(4, streamId, true);
      bytes.set(piece, at + 8);
      at += 8 + piece.length;
    }
    return this.options.send(bytes);
  }

  /** @internal */
  writeFin(streamId: number): void {
    void this.options
      .send(encodeSmuxFrame({ command: SmuxCommand.Fin, streamId }))
      .catch(() => undefined);
  }

  /** @internal */
  forget(streamId: number): void {
    this.streams.delete(streamId);
  }

  private onFrame(command: SmuxCommand, streamId: number, data: Uint8Array): void {
    switch (command) {
      case SmuxCommand.Nop:
        return; // keep-alive: we never time a peer out for silence
      case SmuxCommand.Syn: {
        if (this.streams.has(streamId) || this.options.onStream === undefined) return;
        const stream = new SmuxStream(streamId, this);
        this.streams.set(streamId, stream);
        this.options.onStream(stream);
        return;
      }
      case SmuxCommand.Psh:
        // Data for a stream we closed already is dropped, as xtaci/smux does.
        this.streams.get(streamId)?.deliver(data);
        return;
      case SmuxCommand.Fin:
        this.streams.get(streamId)?.remoteEnded();
        return;
    }
  }
}

export interface SmuxStreamHandlers {
  /** Stream data in order. */
  onData(data: Uint8Array): void;
  /** The peer sent FIN: it sends no more. */
  onEnd(): void;
  /** Both halves are done, or the session went away; nothing more happens on this stream. */
  onClose(): void;
}

/**
 * One smux stream. FIN is treated as a half-close: each side sends it when its source ended,
 * and the stream is gone once both did (an AWS peer closes its side as soon as it reads FIN, so
 * that comes out the same).
 */
export class SmuxStream {
  private handlers: SmuxStreamHandlers | undefined;
  private readonly early: Uint8Array[] = [];
  private earlyEnded = false;
  private localEnded = false;
  private remoteEnd = false;
  private closed = false;
  private backlog: () => number = () => 0;

  constructor(
    readonly id: number,
    private readonly session: SmuxSession,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes this stream's consumer holds unwritten (see SmuxSession.backlogBytes). */
  get backlogBytes(): number {
    let early = 0;
    for (const chunk of this.early) early += chunk.length;
    return early + this.backlog();
  }

  /** Starts delivery; data that arrived before is handed over at once, in order. */
  attach(handlers: SmuxStreamHandlers, backlog?: () => number): void {
    this.handlers = handlers;
    if (backlog !== undefined) this.backlog = backlog;
    for (const chunk of this.early.splice(0)) handlers.onData(chunk);
    if (this.earlyEnded) this.remoteEnded();
    if (this.closed) handlers.onClose();
  }

  /** Sends `data`; resolves when the channel took it (await it before reading more). */
  write(data: Uint8Array): Promise<void> {
    if (this.localEnded || this.closed || data.length === 0) return Promise.resolve();
    return this.session.writeFrames(this.id, data);
  }

  /** Our side is done: FIN (once). */
  end(): void {
    if (this.localEnded || this.closed) return;
    this.localEnded = true;
    this.session.writeFin(this.id);
    this.closeIfDone();
  }

  /** @internal */
  deliver(data: Uint8Array): void {
    if (this.remoteEnd || this.closed) return;
    if (this.handlers === undefined) this.early.push(data);
    else this.handlers.onData(data);
  }

  /** @internal */
  remoteEnded(): void {
    if (this.handlers === undefined) {
      this.earlyEnded = true;
      return;
    }
    if (this.remoteEnd) return;
    this.remoteEnd = true;
    this.handlers.onEnd();
    this.closeIfDone();
  }

  /** @internal The session is gone. */
  abort(): void {
    if (this.closed) return;
    this.closed = true;
    this.handlers?.onClose();
  }

  private closeIfDone(): void {
    if (!(this.localEnded && this.remoteEnd) || this.closed) return;
    this.closed = true;
    this.session.forget(this.id);
    this.handlers?.onClose();
  }
}
