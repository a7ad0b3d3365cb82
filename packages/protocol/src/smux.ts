// smux protocol version 1 framing (xtaci/smux, ssm-wire §5.4): the frame encoder and a streaming
// decoder that accepts the byte stream in any chunking. Stream semantics (open, close, windows,
// keep-alive timers) belong to the mux session built on top; this file only frames bytes.

import { CodedError } from './errors.js';

/** The only protocol version AWS's plugin and agent speak (smux `DefaultConfig()`). */
export const SMUX_VERSION = 1;

/** The header as data, one row per field in wire order; length and stream id are little-endian. */
export const SMUX_HEADER_LAYOUT = [
  { field: 'version', offset: 0, length: 1 },
  { field: 'command', offset: 1, length: 1 },
  { field: 'length', offset: 2, length: 2 },
  { field: 'streamId', offset: 4, length: 4 },
] as const;

type FieldRow = (typeof SMUX_HEADER_LAYOUT)[number];
type SmuxHeaderField = FieldRow['field'];

/** Header rows by name, for readable offsets in the codec. */
const FIELD = Object.fromEntries(SMUX_HEADER_LAYOUT.map((row) => [row.field, row])) as {
  readonly [F in SmuxHeaderField]: Extract<FieldRow, { field: F }>;
};

export const SMUX_HEADER_LENGTH = 8;

/** The largest data length the uint16 length field can express. */
export const SMUX_MAX_DATA_LENGTH = 0xffff;

/**
 * smux `DefaultConfig().MaxFrameSize`, which the plugin and the agent both use: the largest PSH
 * body they write. A sender talking to them should split data at this size; a decoder may use
 * it as its `maxFrameSize` to refuse anything an AWS peer would never send.
 */
export const SMUX_DEFAULT_MAX_FRAME_SIZE = 32_768;

/**
 * smux `DefaultConfig().KeepAliveInterval`: how often a peer sends a NOP. An old agent (client
 * version ≤ 1.2.331.0 reported) kills a mux session that sends nothing for the timeout below,
 * so a client must either report a newer version or send NOPs this often (ssm-wire §5.3).
 */
export const SMUX_DEFAULT_KEEP_ALIVE_INTERVAL_MS = 10_000;

/** smux `DefaultConfig().KeepAliveTimeout`: silence after which a keep-alive peer closes the session. */
export const SMUX_DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 30_000;

/**
 * Frame commands of protocol version 1. UPD (4, window update) exists only in version 2 and is
 * rejected as unknown here, as is every other value.
 */
export const SmuxCommand = {
  /** Open a stream. Carries no data. */
  Syn: 0,
  /** Close the sender's half of a stream. Carries no data. */
  Fin: 1,
  /** Stream data. */
  Psh: 2,
  /** Keep-alive; xtaci/smux sends it on stream 0. Carries no data. */
  Nop: 3,
} as const;

export type SmuxCommand = (typeof SmuxCommand)[keyof typeof SmuxCommand];

export function isSmuxCommand(value: unknown): value is SmuxCommand {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

export interface SmuxFrame {
  readonly command: SmuxCommand;
  /** uint32. */
  readonly streamId: number;
  /** Empty except for PSH. Decoded frames own their bytes (never a view of a pushed chunk). */
  readonly data: Uint8Array;
}

/** What `encodeSmuxFrame` takes: a frame whose data may be omitted when empty. */
export interface SmuxFrameInit {
  readonly command: SmuxCommand;
  readonly streamId: number;
  readonly data?: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/**
 * Serialises one frame. Throws RangeError/TypeError on values no peer could accept (programmer
 * mistakes): an unknown command, a stream id outside uint32, data over 65535 bytes, or data on a
 * command other than PSH (xtaci/smux does not read the body of SYN, FIN or NOP, so the receiver
 * would take that data for the next header). Splitting data at the peer's MaxFrameSize is the
 * caller's job.
 */
export function encodeSmuxFrame(frame: SmuxFrameInit): Uint8Array {
  const { command, streamId } = frame;
  if (!isSmuxCommand(command)) {
    throw new RangeError(`unknown smux command ${String(command)}`);
  }
  if (!Number.isInteger(streamId) || streamId < 0 || streamId > 0xffff_ffff) {
    throw new RangeError(`smux stream id ${streamId} is not a uint32`);
  }
  const data = frame.data ?? EMPTY;
  if (!(data instanceof Uint8Array)) {
    throw new TypeError('smux frame data must be a Uint8Array');
  }
  if (data.length > SMUX_MAX_DATA_LENGTH) {
    throw new RangeError(`smux frame data is ${data.length} bytes; the limit is 65535`);
  }
  if (command !== SmuxCommand.Psh && data.length !== 0) {
    throw new RangeError(`smux command ${command} carries no data`);
  }
  const bytes = new Uint8Array(SMUX_HEADER_LENGTH + data.length);
  const view = new DataView(bytes.buffer);
  view.setUint8(FIELD.version.offset, SMUX_VERSION);
  view.setUint8(FIELD.command.offset, command);
  view.setUint16(FIELD.length.offset, data.length, true);
  view.setUint32(FIELD.streamId.offset, streamId, true);
  bytes.set(data, SMUX_HEADER_LENGTH);
  return bytes;
}

export interface SmuxDecoderOptions {
  /**
   * Largest data length accepted, checked from the header before anything is allocated for the
   * body. Default 65535 (everything the length field allows); pass SMUX_DEFAULT_MAX_FRAME_SIZE
   * to accept only what an AWS peer sends.
   */
  readonly maxFrameSize?: number;
}

/** `header`: collecting the 8 header bytes; `body`: collecting data; `failed`: poisoned. */
export type SmuxDecoderState = 'header' | 'body' | 'failed';

/**
 * Streaming smux v1 decoder. Push the byte stream in any chunking; each complete frame is
 * handed to `onFrame` synchronously, in order, before `push` returns.
 *
 * A callback rather than a returned array so that the frames before a bad frame are delivered
 * whatever the chunking (xtaci/smux also dispatches each frame before it reads the next header),
 * and the error then surfaces from the same `push`. Errors are CodedError (SmuxVersionUnsupported,
 * SmuxCommandUnknown, SmuxFrameInvalid, SmuxFrameTooLarge), thrown as soon as the header that
 * causes them is complete. After any error — including one thrown by `onFrame`, since the rest of
 * that chunk was not consumed — the decoder is poisoned: every later `push` throws the same error.
 *
 * Memory: at most the 8 header bytes plus one body of at most `maxFrameSize` bytes are held, and
 * the body is allocated only after its header is validated. Each frame's data is a fresh copy,
 * so the caller may reuse its chunk buffers as soon as `push` returns.
 */
export class SmuxDecoder {
  readonly #onFrame: (frame: SmuxFrame) => void;
  readonly #maxFrameSize: number;
  readonly #header = new Uint8Array(SMUX_HEADER_LENGTH);
  #state: SmuxDecoderState = 'header';
  #headerFilled = 0;
  #command: SmuxCommand = SmuxCommand.Nop;
  #streamId = 0;
  #body: Uint8Array = EMPTY;
  #bodyFilled = 0;
  #failure: unknown = undefined;
  #pushing = false;

  constructor(onFrame: (frame: SmuxFrame) => void, options: SmuxDecoderOptions = {}) {
    const maxFrameSize = options.maxFrameSize ?? SMUX_MAX_DATA_LENGTH;
    if (
      !Number.isInteger(maxFrameSize) ||
      maxFrameSize < 0 ||
      maxFrameSize > SMUX_MAX_DATA_LENGTH
    ) {
      throw new RangeError(`maxFrameSize ${maxFrameSize} is not an integer in [0, 65535]`);
    }
    this.#onFrame = onFrame;
    this.#maxFrameSize = maxFrameSize;
  }

  get state(): SmuxDecoderState {
    return this.#state;
  }

  /** Bytes held for the frame in progress (header bytes plus body bytes received so far). */
  get bufferedBytes(): number {
    return this.#headerFilled + this.#bodyFilled;
  }

  /** Consumes `chunk` entirely (copying what it keeps), emitting every frame it completes. */
  push(chunk: Uint8Array): void {
    if (this.#state === 'failed') throw this.#failure;
    // A push from inside onFrame would splice its bytes into the middle of the current chunk.
    if (this.#pushing) throw new Error('SmuxDecoder.push called from inside onFrame');
    this.#pushing = true;
    try {
      this.#consume(chunk);
    } catch (error) {
      this.#fail(error);
      throw error;
    } finally {
      this.#pushing = false;
    }
  }

  #consume(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#state === 'header') {
        const take = Math.min(SMUX_HEADER_LENGTH - this.#headerFilled, chunk.length - offset);
        this.#header.set(chunk.subarray(offset, offset + take), this.#headerFilled);
        this.#headerFilled += take;
        offset += take;
        // A frame without data completes with its header, even at the very end of a chunk.
        if (this.#headerFilled === SMUX_HEADER_LENGTH) this.#startFrame();
      } else {
        const take = Math.min(this.#body.length - this.#bodyFilled, chunk.length - offset);
        this.#body.set(chunk.subarray(offset, offset + take), this.#bodyFilled);
        this.#bodyFilled += take;
        offset += take;
        if (this.#bodyFilled === this.#body.length) this.#emit(this.#body);
      }
    }
  }

  /** Validates a complete header, then allocates exactly its body or emits a data-less frame. */
  #startFrame(): void {
    const header = this.#header;
    const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
    const version = view.getUint8(FIELD.version.offset);
    if (version !== SMUX_VERSION) {
      throw new CodedError(
        'SmuxVersionUnsupported',
        `smux frame has version ${version}; expected 1`,
      );
    }
    const command = view.getUint8(FIELD.command.offset);
    if (!isSmuxCommand(command)) {
      throw new CodedError('SmuxCommandUnknown', `smux frame has unknown command ${command}`);
    }
    const length = view.getUint16(FIELD.length.offset, true);
    // xtaci/smux reads a body only for PSH; it would parse data after a SYN, FIN or NOP as the
    // next header. Accepting either reading would let two parsers disagree on the stream.
    if (command !== SmuxCommand.Psh && length !== 0) {
      throw new CodedError(
        'SmuxFrameInvalid',
        `smux command ${command} carries ${length} bytes of data; only PSH carries data`,
      );
    }
    if (length > this.#maxFrameSize) {
      throw new CodedError(
        'SmuxFrameTooLarge',
        `smux frame length ${length} exceeds the limit of ${this.#maxFrameSize}`,
      );
    }
    this.#command = command;
    this.#streamId = view.getUint32(FIELD.streamId.offset, true);
    if (length === 0) {
      this.#emit(new Uint8Array(0));
    } else {
      this.#body = new Uint8Array(length);
      this.#state = 'body';
    }
  }

  #emit(data: Uint8Array): void {
    const frame: SmuxFrame = { command: this.#command, streamId: this.#streamId, data };
    // Reset before the callback so the decoder is consistent whatever the callback does.
    this.#state = 'header';
    this.#headerFilled = 0;
    this.#body = EMPTY;
    this.#bodyFilled = 0;
    this.#onFrame(frame);
  }

  #fail(error: unknown): void {
    this.#state = 'failed';
    this.#failure = error;
    this.#headerFilled = 0;
    this.#body = EMPTY;
    this.#bodyFilled = 0;
  }
}
