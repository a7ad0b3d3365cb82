// The Node terminal adapter and the guard that restores the terminal on every way out.

import { EventEmitter } from 'node:events';
import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createNodeTerminal } from '../src/session/terminal.js';
import { guardTerminal } from '../src/session/terminal-guard.js';
import { FakeTerminal } from './helpers/test-host.js';

class FakeTtyInput extends PassThrough {
  readonly isTTY = true;
  readonly modes: boolean[] = [];
  failRestore = false;

  setRawMode(mode: boolean): this {
    if (!mode && this.failRestore) throw new Error('EIO');
    this.modes.push(mode);
    return this;
  }
}

class FakeTtyOutput extends Writable {
  readonly isTTY = true;
  size: [number, number] = [132, 43];

  getWindowSize(): [number, number] {
    return this.size;
  }

  override _write(_chunk: unknown, _encoding: string, callback: () => void): void {
    callback();
  }
}

describe('createNodeTerminal', () => {
  it('switches a TTY to raw mode once and back once', () => {
    const input = new FakeTtyInput();
    const terminal = createNodeTerminal(() => input, true, [new FakeTtyOutput()]);
    expect(terminal.isInteractive).toBe(true);
    terminal.restore();
    terminal.setRaw();
    terminal.setRaw();
    terminal.restore();
    terminal.restore();
    expect(input.modes).toEqual([true, false]);
  });

  it('leaves non-terminal input alone and never opens it', () => {
    let opened = false;
    const terminal = createNodeTerminal(
      () => {
        opened = true;
        return new PassThrough();
      },
      false,
      [],
    );
    terminal.setRaw();
    terminal.restore();
    expect(opened).toBe(false);
    expect(terminal.isInteractive).toBe(false);
  });

  it('survives a terminal that is gone when restoring', () => {
    const input = new FakeTtyInput();
    const terminal = createNodeTerminal(() => input, true, []);
    terminal.setRaw();
    input.failRestore = true;
    expect(() => terminal.restore()).not.toThrow();
  });

  it('skips a stdin that claims a TTY but cannot switch modes', () => {
    const terminal = createNodeTerminal(() => new PassThrough(), true, []);
    expect(() => terminal.setRaw()).not.toThrow();
  });

  it('reads the size from the first output that is a terminal, and follows resizes', () => {
    const pipe = new PassThrough();
    const tty = new FakeTtyOutput();
    const terminal = createNodeTerminal(() => new PassThrough(), false, [pipe, tty]);
    expect(terminal.size()).toEqual({ cols: 132, rows: 43 });
    let resized = 0;
    const stop = terminal.onResize(() => resized++);
    tty.emit('resize');
    stop();
    tty.emit('resize');
    expect(resized).toBe(1);
    tty.size = [0, 0];
    expect(terminal.size()).toBeUndefined();
  });

  it('has no size without a terminal', () => {
    const terminal = createNodeTerminal(() => new PassThrough(), false, [new PassThrough()]);
    expect(terminal.size()).toBeUndefined();
    expect(() => terminal.onResize(() => undefined)()).not.toThrow();
  });
});

class FakeProcess extends EventEmitter {
  readonly pid = 4242;
  readonly kills: [number, string][] = [];

  kill(pid: number, signal: string): boolean {
    this.kills.push([pid, signal]);
    return true;
  }
}

describe('guardTerminal', () => {
  it('restores on exit and on an uncaught exception', () => {
    for (const event of ['exit', 'uncaughtExceptionMonitor']) {
      const terminal = new FakeTerminal(true);
      const target = new FakeProcess();
      guardTerminal(terminal, target);
      terminal.setRaw();
      target.emit(event);
      expect(terminal.events).toEqual(['raw', 'restore']);
    }
  });

  it.each(['SIGTERM', 'SIGHUP'])('restores on %s, then dies of it', (signal) => {
    const terminal = new FakeTerminal(true);
    const target = new FakeProcess();
    guardTerminal(terminal, target);
    terminal.setRaw();
    target.emit(signal);
    expect(terminal.events).toEqual(['raw', 'restore']);
    expect(target.kills).toEqual([[4242, signal]]);
    expect(target.listenerCount(signal)).toBe(0);
  });

  it('leaves the signal to another handler when there is one (openssm server forwarding it)', () => {
    const terminal = new FakeTerminal(true);
    const target = new FakeProcess();
    guardTerminal(terminal, target);
    let forwarded = 0;
    target.on('SIGTERM', () => forwarded++);
    terminal.setRaw();
    target.emit('SIGTERM');
    expect(terminal.events).toEqual(['raw', 'restore']);
    expect(target.kills).toEqual([]);
    expect(forwarded).toBe(1);
  });

  it('removes every hook when disposed', () => {
    const target = new FakeProcess();
    const dispose = guardTerminal(new FakeTerminal(true), target);
    dispose();
    expect(target.eventNames()).toEqual([]);
  });
});
