// TerminalWriter: keystrokes reach the terminal at once and in order; what a program does not
// read waits in a bounded queue and is retried on a timer; a hung-up terminal drops input.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { TerminalWriter } from '../src/session/terminal-writer.js';

function errno(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(code), { code });
}

/** A terminal input buffer of `room` bytes that the test drains by hand. */
function fakeTerminal(room: number) {
  const received: number[] = [];
  let free = room;
  const write = vi.fn((_fd: number, bytes: Uint8Array) => {
    if (free === 0) throw errno('EAGAIN');
    const taken = Math.min(free, bytes.length);
    free -= taken;
    received.push(...bytes.subarray(0, taken));
    return taken;
  });
  return {
    write,
    received,
    drain(bytes: number) {
      free += bytes;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TerminalWriter', () => {
  it('writes a keystroke synchronously, on the caller’s turn', () => {
    const terminal = fakeTerminal(4096);
    const writer = new TerminalWriter(7, 1024, terminal.write);
    expect(writer.write(Uint8Array.of(0x61))).toBe(true);
    expect(terminal.write).toHaveBeenCalledWith(7, Uint8Array.of(0x61));
    expect(terminal.received).toEqual([0x61]);
    expect(writer.pending).toBe(0);
  });

  it('queues what the terminal cannot take, keeps order, and retries on a timer', () => {
    vi.useFakeTimers();
    const terminal = fakeTerminal(3);
    const writer = new TerminalWriter(7, 1024, terminal.write);
    writer.write(Uint8Array.of(1, 2, 3, 4, 5));
    writer.write(Uint8Array.of(6));
    expect(terminal.received).toEqual([1, 2, 3]);
    expect(writer.pending).toBe(3);
    // Nothing is tried again until the timer: no spinning while the program does not read.
    const calls = terminal.write.mock.calls.length;
    vi.advanceTimersByTime(1);
    expect(terminal.write.mock.calls.length).toBe(calls);
    terminal.drain(10);
    vi.advanceTimersByTime(5);
    expect(terminal.received).toEqual([1, 2, 3, 4, 5, 6]);
    expect(writer.pending).toBe(0);
  });

  it('refuses input past the bound, whole, and takes it again once there is room', () => {
    vi.useFakeTimers();
    const terminal = fakeTerminal(0);
    const writer = new TerminalWriter(7, 8, terminal.write);
    expect(writer.write(new Uint8Array(6).fill(1))).toBe(true);
    expect(writer.write(new Uint8Array(3).fill(2))).toBe(false);
    expect(writer.pending).toBe(6);
    terminal.drain(100);
    vi.advanceTimersByTime(5);
    expect(writer.write(new Uint8Array(3).fill(2))).toBe(true);
    expect(terminal.received).toEqual([1, 1, 1, 1, 1, 1, 2, 2, 2]);
  });

  it('takes a single write larger than the bound when nothing is queued (a big paste)', () => {
    const terminal = fakeTerminal(4);
    const writer = new TerminalWriter(7, 8, terminal.write);
    expect(writer.write(new Uint8Array(20).fill(3))).toBe(true);
    expect(writer.pending).toBe(16);
  });

  it('drops input once the terminal hung up, and after close', () => {
    vi.useFakeTimers();
    const write = vi.fn((): number => {
      throw errno('EIO');
    });
    const writer = new TerminalWriter(7, 8, write);
    expect(writer.write(Uint8Array.of(1))).toBe(true);
    expect(writer.pending).toBe(0);
    expect(writer.write(Uint8Array.of(2))).toBe(true);
    expect(write).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(100);
    expect(write).toHaveBeenCalledTimes(1);
  });
});
