// A terminal for end-to-end tests: a tmux server of the test's own (its own socket, no user
// configuration), so a test types into a real TTY and reads the screen without ever touching the
// user's tmux. The window size is manual, so a resize is exactly what the test asked for.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { WORKSPACE_BIN } from './operator.js';
import { pollUntil } from './poll-until.js';

const execFileAsync = promisify(execFile);
const SESSION = 'main';

export interface TerminalSize {
  readonly columns: number;
  readonly rows: number;
}

export class TmuxTerminal {
  private readonly socket = `openssm-test-${process.pid}-${Math.random().toString(36).slice(2)}`;
  /** What the screen showed when it was last read, for failure messages. */
  private lastScreen = '';

  /**
   * Runs `command` in a fresh window with exactly `env` as its environment. The window stays
   * open for a minute after the command ends, so its last words can still be read.
   */
  async start(
    command: string,
    env: Readonly<Record<string, string>>,
    size: TerminalSize = { columns: 120, rows: 40 },
  ): Promise<void> {
    const exports = Object.entries(env)
      .map(([key, value]) => `${key}='${value.replaceAll("'", "'\\''")}'`)
      .join(' ');
    await this.tmux(
      'new-session',
      '-d',
      '-s',
      SESSION,
      '-x',
      String(size.columns),
      '-y',
      String(size.rows),
      `env -i ${exports} ${command}; sleep 60`,
    );
    await this.tmux('set-option', '-g', 'window-size', 'manual');
  }

  /** Runs `openssm connect <target>` and resolves with the session id it announces. */
  async connect(target: string, env: Readonly<Record<string, string>>): Promise<string> {
    await this.start(`${join(WORKSPACE_BIN, 'openssm')} connect ${target}`, env);
    const started = /Starting session with SessionId: (\S+)/;
    return started.exec(await this.waitFor(started, 'the session to start'))![1]!;
  }

  tmux(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return execFileAsync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args]);
  }

  /** The visible screen and up to 300 lines of history, long lines joined. */
  async screen(): Promise<string> {
    this.lastScreen = (
      await this.tmux('capture-pane', '-p', '-J', '-S', '-300', '-t', SESSION)
    ).stdout;
    return this.lastScreen;
  }

  /** Resolves with the screen once `pattern` is on it; fails showing the last screen. */
  waitFor(pattern: RegExp, what: string, timeoutMs = 20_000): Promise<string> {
    return pollUntil(
      async () => {
        const text = await this.screen();
        return pattern.test(text) ? text : undefined;
      },
      () => `${what}; screen:\n${this.lastScreen}`,
      timeoutMs,
    );
  }

  /** Types `text` literally, then Enter. */
  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-t', SESSION, '-l', text);
    await this.tmux('send-keys', '-t', SESSION, 'Enter');
  }

  async resize(size: TerminalSize): Promise<void> {
    await this.tmux(
      'resize-window',
      '-t',
      SESSION,
      '-x',
      String(size.columns),
      '-y',
      String(size.rows),
    );
  }

  async close(): Promise<void> {
    await this.tmux('kill-server').catch(() => undefined);
  }
}
