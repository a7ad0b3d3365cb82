// An in-process Host for tests: streams instead of stdio, a terminal that records raw mode and
// can be resized, signals that tests raise by hand.

import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import type { Env, Host, Terminal, TerminalSize } from '../../src/host/host.js';

export class CapturedOutput extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export class FakeTerminal implements Terminal {
  /** 'raw' and 'restore' calls in order (restores while not raw are not recorded). */
  readonly events: string[] = [];
  raw = false;
  current: TerminalSize | undefined;
  private readonly resize = new EventEmitter();

  constructor(
    readonly isInteractive: boolean,
    size: TerminalSize | undefined = { cols: 120, rows: 40 },
  ) {
    this.current = size;
  }

  size(): TerminalSize | undefined {
    return this.current;
  }

  onResize(listener: () => void): () => void {
    this.resize.on('resize', listener);
    return () => this.resize.off('resize', listener);
  }

  resizeTo(size: TerminalSize): void {
    this.current = size;
    this.resize.emit('resize');
  }

  setRaw(): void {
    // Like the real terminal: raw mode only applies when stdin is a terminal.
    if (this.raw || !this.isInteractive) return;
    this.raw = true;
    this.events.push('raw');
  }

  restore(): void {
    if (!this.raw) return;
    this.raw = false;
    this.events.push('restore');
  }
}

export class FakeSignals {
  private readonly emitter = new EventEmitter();

  on(signal: NodeJS.Signals, listener: () => void): () => void {
    this.emitter.on(signal, listener);
    return () => this.emitter.off(signal, listener);
  }

  raise(signal: NodeJS.Signals): boolean {
    return this.emitter.emit(signal);
  }

  listenerCount(signal: NodeJS.Signals): number {
    return this.emitter.listenerCount(signal);
  }
}

export interface TestHost extends Host {
  readonly stdin: PassThrough;
  readonly stdout: CapturedOutput;
  readonly stderr: CapturedOutput;
  readonly terminal: FakeTerminal;
  readonly signals: FakeSignals;
}

export function createTestHost(
  options: {
    args?: readonly string[];
    env?: Env;
    interactive?: boolean;
    homeDir?: string;
    programPath?: string;
    size?: TerminalSize;
  } = {},
): TestHost {
  return {
    args: options.args ?? [],
    programPath: options.programPath ?? '/usr/local/bin/session-manager-plugin',
    env: options.env ?? {},
    homeDir: options.homeDir ?? '/nonexistent-home',
    stdin: new PassThrough(),
    stdout: new CapturedOutput(),
    stderr: new CapturedOutput(),
    terminal: new FakeTerminal(options.interactive ?? true, options.size),
    signals: new FakeSignals(),
  };
}
