// ScriptProcess with real processes: exit codes, output straight to files, the working
// directory and environment, waiting for background holders of the output, the execution
// timeout and cancel killing the whole tree (a background grandchild included), and adoption of
// a script whose agent went away.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pollUntil } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessGone } from '../src/run-command/process-scan.js';
import { ScriptProcess, type ScriptLaunch } from '../src/run-command/script-process.js';

let dir: string;
const leftovers: ScriptProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'openssm-script-'));
});

afterEach(() => {
  for (const script of leftovers.splice(0)) script.cancel();
  rmSync(dir, { recursive: true, force: true });
});

function launch(lines: string[], overrides: Partial<ScriptLaunch> = {}): ScriptLaunch {
  return {
    scriptPath: join(dir, '_script.sh'),
    stdoutPath: join(dir, 'stdout'),
    stderrPath: join(dir, 'stderr'),
    exitStatusPath: join(dir, 'exit-status'),
    lines,
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', SSM_COMMAND_ID: 'cmd-1' },
    deadline: Date.now() + 15_000,
    ...overrides,
  };
}

async function run(lines: string[], overrides: Partial<ScriptLaunch> = {}) {
  const script = await ScriptProcess.start(launch(lines, overrides));
  leftovers.push(script);
  return script;
}

const read = (name: string): string => readFileSync(join(dir, name), 'utf8');

/** Waits until a pid file written by the script names a process, and returns it. */
async function pidFrom(name: string): Promise<number> {
  const text = await pollUntil(
    () => (existsSync(join(dir, name)) ? read(name).trim() || undefined : undefined),
    name,
  );
  return Number(text);
}

describe('ScriptProcess', () => {
  it('runs the lines with sh, output to files, exit status recorded', async () => {
    const script = await run(['echo out', 'echo err >&2', 'exit 3']);
    expect(await script.finished).toEqual({ kind: 'exited', exitCode: 3 });
    expect(read('stdout')).toBe('out\n');
    expect(read('stderr')).toBe('err\n');
    expect(read('exit-status').trim()).toBe('3');
    expect(read('_script.sh')).toBe('echo out\necho err >&2\nexit 3\n');
  });

  it('honours a #! line, the working directory and the environment', async () => {
    const work = join(dir, 'work');
    mkdirSync(work);
    const script = await run(
      ['#!/bin/bash', 'echo "$BASH_VERSION" | cut -c1', 'pwd', 'echo $SSM_COMMAND_ID'],
      {
        cwd: work,
      },
    );
    expect(await script.finished).toEqual({ kind: 'exited', exitCode: 0 });
    const [bash, pwd, id] = read('stdout').trim().split('\n');
    expect(bash).toMatch(/^\d$/);
    expect(pwd).toBe(work);
    expect(id).toBe('cmd-1');
  });

  it('reports a missing working directory as not started', async () => {
    const script = await run(['echo never'], { cwd: join(dir, 'missing') });
    const outcome = await script.finished;
    expect(outcome.kind === 'notStarted' && outcome.error).toMatch(
      /^failed to run commands: chdir .*missing: no such file or directory$/,
    );
  });

  it('waits for a background process that still writes to the output', async () => {
    const script = await run(['(sleep 0.5; echo late) &', 'echo early']);
    expect(await script.finished).toEqual({ kind: 'exited', exitCode: 0 });
    expect(read('stdout')).toBe('early\nlate\n');
  });

  it('does not wait for a background process that let go of the output', async () => {
    const script = await run(['sleep 30 > /dev/null 2>&1 &', 'echo $! > bg.pid']);
    expect(await script.finished).toEqual({ kind: 'exited', exitCode: 0 });
    const background = await pidFrom('bg.pid');
    expect(await isProcessGone(background)).toBe(false);
    process.kill(background, 'SIGKILL');
  });

  it('kills the whole tree at the deadline, a background grandchild included', async () => {
    const script = await run(['sleep 1000 &', 'echo $! > bg.pid', 'sleep 1000'], {
      deadline: Date.now() + 1500,
    });
    const background = await pidFrom('bg.pid');
    expect(await script.finished).toEqual({ kind: 'timedOut' });
    await pollUntil(() => isProcessGone(background), 'the background sleep to be gone', 5000);
    expect(await isProcessGone(script.pid!)).toBe(true);
  });

  it('kills a child that started a session of its own', async () => {
    const script = await run(['setsid sleep 1000 &', 'echo $! > bg.pid', 'sleep 1000'], {
      deadline: Date.now() + 1500,
    });
    const escaped = await pidFrom('bg.pid');
    expect(await script.finished).toEqual({ kind: 'timedOut' });
    await pollUntil(() => isProcessGone(escaped), 'the setsid sleep to be gone', 5000);
  });

  it('cancel kills the tree and reports cancelled', async () => {
    const script = await run(['sleep 1000 &', 'echo $! > bg.pid', 'sleep 1000']);
    const background = await pidFrom('bg.pid');
    script.cancel();
    expect(await script.finished).toEqual({ kind: 'cancelled' });
    await pollUntil(() => isProcessGone(background), 'the background sleep to be gone', 5000);
  });

  it('adopts a running script after detach and reads its exit status', async () => {
    const first = await run(['sleep 0.7', 'echo done', 'exit 7']);
    first.detach();
    expect(await first.finished).toEqual({ kind: 'detached' });
    const adopted = await ScriptProcess.adopt(launch([]), first.pid);
    expect(adopted.pid).toBe(first.pid);
    expect(await adopted.finished).toEqual({ kind: 'exited', exitCode: 7 });
    expect(read('stdout')).toBe('done\n');
  });

  it('finds an adopted script by its script path when the pid is unknown', async () => {
    const first = await run(['sleep 0.7', 'exit 4']);
    first.detach();
    const adopted = await ScriptProcess.adopt(launch([]), undefined);
    expect(adopted.pid).toBe(first.pid);
    expect(await adopted.finished).toEqual({ kind: 'exited', exitCode: 4 });
  });

  it('adopting a script that vanished without an exit status is lost', async () => {
    const adopted = await ScriptProcess.adopt(launch([]), undefined);
    expect(await adopted.finished).toEqual({ kind: 'lost' });
  });
});
