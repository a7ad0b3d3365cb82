// Sessions surviving failures, end to end: a real server, a real openssm-agent process registered
// with a real activation, and `openssm connect` as a child process with piped stdio. The client
// reaches the server through a TCP proxy (the server's --public-url points at it) that the test
// cuts like a dropped network; the agent connects directly and is SIGKILLed in the second test.

import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import {
  DescribeInstanceInformationCommand,
  DescribeSessionsCommand,
  SSMClient,
  type Session,
} from '@aws-sdk/client-ssm';
import {
  operatorEnvironment,
  registerTestAgent,
  spawnTestAgent,
  startTcpProxy,
  stopProcess,
  WORKSPACE_BIN,
  startTestServer,
  type TcpProxy,
  type TestServer,
  pollUntil,
} from '@openssm/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

/** Short, so that a session ends soon after its agent's data socket is gone. */
const AGENT_GRACE_MS = 500;
const LINES = 10_000;

let proxy: TcpProxy;
let server: TestServer;
/** The test's own API client: talks to the server directly, never through the proxy. */
let ssm: SSMClient;
let workDir: string;
let stateDir: string;
let instanceId: string;
const audit: { eventName: string; errorCode: string | undefined }[] = [];
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** The exit code (or signal) of a process that must exit within `ms`. */
function exitStatus(child: ChildProcess, what: string, ms = 10_000): Promise<number | string> {
  return pollUntil(() => child.exitCode ?? child.signalCode ?? undefined, what, ms);
}

function startAgent(): ChildProcess {
  return track(spawnTestAgent(stateDir));
}

async function waitForPingStatus(status: 'Online' | 'ConnectionLost', ms?: number): Promise<void> {
  await pollUntil(async () => ((await pingStatus()) === status ? true : undefined), status, ms);
}

/** Starts an agent once the previous one is seen gone, and waits until the node is Online. */
async function startAgentOnline(): Promise<ChildProcess> {
  await waitForPingStatus('ConnectionLost');
  const agent = startAgent();
  await waitForPingStatus('Online');
  return agent;
}

async function pingStatus(): Promise<string | undefined> {
  const { InstanceInformationList = [] } = await ssm.send(
    new DescribeInstanceInformationCommand({}),
  );
  return InstanceInformationList.find((node) => node.InstanceId === instanceId)?.PingStatus;
}

async function sessions(state: 'Active' | 'History'): Promise<Session[]> {
  return (await ssm.send(new DescribeSessionsCommand({ State: state, MaxResults: 200 }))).Sessions!;
}

/** Terminal escapes (colours, titles, bracketed paste) removed, line ends normalised. */
function plain(text: string): string {
  return stripVTControlCharacters(text).replace(/\r+\n/g, '\n');
}

/** `openssm connect` with piped stdio, as a script runs it; stdin stays open (its end is Ctrl-D). */
class Client {
  private output = '';
  private errors = '';
  /** Exited, and everything it printed has been read. */
  private closed = false;
  readonly process: ChildProcess;

  constructor(target: string) {
    this.process = track(
      spawn(join(WORKSPACE_BIN, 'openssm'), ['connect', target], {
        stdio: 'pipe',
        // The proxy: the API calls and the StreamUrl (the server's --public-url) both pass it.
        env: operatorEnvironment(server, workDir),
      }),
    );
    this.process.stdout!.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.errors += chunk));
    this.process.once('close', () => (this.closed = true));
  }

  /** Everything printed so far, escapes removed. */
  get text(): string {
    return plain(this.output);
  }

  describe(): string {
    const text = this.text;
    return `\n--- stdout (last 2000 of ${text.length} chars) ---\n${text.slice(-2000)}\n--- stderr ---\n${this.errors}`;
  }

  /** Fails at once if the client exits without printing it. */
  waitFor(pattern: RegExp, what: string, ms?: number): Promise<RegExpExecArray> {
    return pollUntil(
      () => {
        const match = pattern.exec(this.text);
        if (match === null && this.closed) {
          const status = this.process.exitCode ?? this.process.signalCode;
          throw new Error(`openssm connect exited (${status}) before ${what}${this.describe()}`);
        }
        return match ?? undefined;
      },
      () => `${what}${this.describe()}`,
      ms,
    );
  }

  type(line: string): void {
    this.process.stdin!.write(`${line}\n`);
  }
}

/** The session is up and a shell answers: typed input reaches it and its output comes back. */
async function startShell(client: Client): Promise<string> {
  const [, sessionId] = await client.waitFor(
    /Starting session with SessionId: (\S+)/,
    'the session to start',
  );
  client.type('echo ready-$((6*7))');
  await client.waitFor(/^ready-42$/m, 'the shell to answer');
  return sessionId!;
}

/** '' when `numbers` is exactly 1..count in order; otherwise what is wrong with it. */
function sequenceProblems(numbers: readonly number[], count: number): string {
  const problems: string[] = [];
  const seen = new Map<number, number>();
  for (const n of numbers) seen.set(n, (seen.get(n) ?? 0) + 1);
  const missing = [];
  for (let n = 1; n <= count; n++) if (!seen.has(n)) missing.push(n);
  const repeated = [...seen].filter(([, times]) => times > 1).map(([n]) => n);
  if (missing.length > 0) {
    problems.push(`${missing.length} missing (first ${missing.slice(0, 10).join(', ')})`);
  }
  if (repeated.length > 0) {
    problems.push(`${repeated.length} repeated (first ${repeated.slice(0, 10).join(', ')})`);
  }
  const outOfOrder = numbers.findIndex((n, i) => i > 0 && n <= numbers[i - 1]!);
  if (outOfOrder > 0) {
    problems.push(`out of order at ${numbers[outOfOrder - 1]} → ${numbers[outOfOrder]}`);
  }
  return problems.join('; ');
}

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'openssm-res-'));
  stateDir = join(workDir, 'agent');
  // The proxy's port goes into the server's --public-url, so it starts first, target-less.
  proxy = await startTcpProxy();
  server = await startTestServer({
    publicUrl: proxy.url,
    agentGraceMs: AGENT_GRACE_MS,
    audit: { record: ({ eventName, errorCode }) => audit.push({ eventName, errorCode }) },
  });
  proxy.setTarget({ host: '127.0.0.1', port: server.server.port });
  ssm = new SSMClient({
    endpoint: server.directUrl,
    region: server.region,
    credentials: server.adminCredentials,
  });
  ({ instanceId } = await registerTestAgent(server, { stateDir, name: 'res-node' }));
}, 30_000);

afterEach(async () => {
  await Promise.all([...children].map((child) => stopProcess(child)));
});

afterAll(async () => {
  await Promise.all([...children].map((child) => stopProcess(child)));
  ssm?.destroy();
  await server?.close();
  await proxy?.close();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

describe('sessions survive failures', () => {
  it('the client’s connection is cut mid-stream: it resumes and 10,000 lines arrive once each, in order', async () => {
    await startAgentOnline();
    const client = new Client(instanceId);
    const sessionId = await startShell(client);

    // The node prints the lines in three parts and waits for a gate file between them, so each
    // fault below lands mid-stream whatever the timing. The shell runs as ssm-user: the gates'
    // directory must be searchable by it.
    const gates = join(workDir, 'gates');
    await mkdir(gates);
    await chmod(workDir, 0o711);
    client.type(
      `for i in $(seq ${LINES}); do echo line-$i; case $i in 5000|7500) until [ -e ${gates}/$i ]; do sleep 0.01; done;; esac; done; echo END""-MARKER`,
    );
    await client.waitFor(/^line-2000$/m, 'line-2000');
    // 1. The client's acknowledgements are lost while it still receives: the agent resends what
    //    it has shown, and the client must drop the copies.
    expect(proxy.stallAll('toTarget')).toBeGreaterThan(0);
    await writeFile(join(gates, '5000'), '');
    await client.waitFor(/^line-7500$/m, 'line-7500 while acknowledgements are lost');
    // 2. The link goes dark both ways: the last part is lost in flight and must be resent.
    proxy.stallAll('fromTarget');
    const darkFrom = proxy.dropped.fromTarget;
    await writeFile(join(gates, '7500'), '');
    await pollUntil(
      () => (proxy.dropped.fromTarget - darkFrom >= 16 * 1024 ? true : undefined),
      () => `output to be lost on the dark link (${proxy.dropped.fromTarget - darkFrom} bytes)`,
    );
    expect(client.text).not.toMatch(/^END-MARKER$/m);
    // 3. The link is reset: the client must resume the session.
    const acceptedBeforeCut = proxy.accepted;
    const auditBeforeCut = audit.length;
    expect(proxy.cutAll()).toBeGreaterThan(0);

    await client.waitFor(/^END-MARKER$/m, 'END-MARKER after the cut', 30_000);
    const numbers = [...client.text.matchAll(/^line-(\d+)$/gm)].map((m) => Number(m[1]));
    expect(sequenceProblems(numbers, LINES)).toBe('');

    // The client came back through the proxy with a ResumeSession, and the session is Connected.
    expect(proxy.accepted).toBeGreaterThan(acceptedBeforeCut);
    expect(audit.slice(auditBeforeCut)).toContainEqual({
      eventName: 'ResumeSession',
      errorCode: undefined,
    });
    const active = await sessions('Active');
    expect(active.find((s) => s.SessionId === sessionId)?.Status).toBe('Connected');

    // Typing still works on the resumed connection, and the session ends normally.
    client.type('echo after-$((6*7))');
    await client.waitFor(/^after-42$/m, 'output typed after the cut');
    client.type('exit');
    await client.waitFor(
      new RegExp(`Exiting session with sessionId: ${sessionId}\\.`),
      'the exit message',
    );
    expect(await exitStatus(client.process, 'the client to exit')).toBe(0);
  }, 60_000);

  it('the agent is SIGKILLed mid-session: the client is told, the session fails, the restarted agent comes back Online', async () => {
    const agent = await startAgentOnline();
    const client = new Client(instanceId);
    const sessionId = await startShell(client);
    expect((await sessions('Active')).map((s) => s.SessionId)).toContain(sessionId);

    agent.kill('SIGKILL');
    expect(await exitStatus(agent, 'the agent to die')).toBe('SIGKILL');

    await client.waitFor(
      new RegExp(`SessionId: ${sessionId} : The session ended because the node disconnected\\.`),
      'the client to be told the session ended',
      10_000,
    );
    await exitStatus(client.process, 'the client to exit');
    expect((await sessions('Active')).map((s) => s.SessionId)).not.toContain(sessionId);
    const history = await sessions('History');
    expect(history.find((s) => s.SessionId === sessionId)?.Status).toBe('Failed');
    // The control channel went down with the process; the node shows it without waiting.
    await waitForPingStatus('ConnectionLost', 5000);

    // The same state directory: the node's identity survives, and it comes back.
    startAgent();
    await waitForPingStatus('Online');
  }, 60_000);
});
