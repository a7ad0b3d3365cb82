// Simulated managed nodes for Run Command tests and the fan-out benchmark: each registers with a
// real activation through the real API, opens a real control-channel WebSocket to the server and
// answers agent_job the way the agent does (ack, replies numbered by openssm.sequence and resent
// until acknowledged, full output in chunks) — with a light executor instead of a shell. Only
// for tests: the real agent's behaviour is tested against the real server elsewhere.

import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import {
  AgentJobAckStatus,
  AgentJobTopic,
  MessageFlags,
  MessageType,
  PayloadType,
  decodeAgentMessage,
  encodeAgentJobAck,
  encodeAgentJobReply,
  encodeAgentMessage,
  encodeOpenControlChannel,
  parseAgentJobId,
  parseAgentJobPayload,
  parseAgentJobReplyAck,
  parseCancelCommandContent,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { signJsonRequestWithRsa } from '@openssm/agent';
import WebSocket from 'ws';
import { nodeSha256 } from './node-sha256.js';
import { signedFetch, signedSsmCall, type Credentials } from './signed-fetch.js';

/** What the light executor is asked to run. */
export interface SimulatedJob {
  readonly commandId: string;
  readonly instanceId: string;
  readonly pluginId: string;
  /** The `commands` parameter (AWS-RunShellScript), or the step's runCommand. */
  readonly commands: readonly string[];
  readonly signal: AbortSignal;
}

export interface SimulatedResult {
  readonly status: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type SimulatedExecutor = (job: SimulatedJob) => Promise<SimulatedResult>;

export interface SimulatedFleetOptions {
  readonly count: number;
  /** Runs one job (default: `echo TEXT`, `exit N` and `sleep S` lines, nothing else). */
  readonly executor?: SimulatedExecutor;
  /** Tags every node gets (the activation's). */
  readonly tags?: readonly { readonly Key: string; readonly Value: string }[];
  /** Registrations and connections under way at once. */
  readonly parallel?: number;
}

export interface FleetServer {
  readonly url: string;
  readonly region: string;
  readonly adminCredentials: Credentials;
}

/** What happened, in order, across the fleet (for tests). */
export interface FleetEvent {
  readonly kind: 'job' | 'duplicate' | 'finished' | 'cancel';
  readonly instanceId: string;
  readonly commandId: string;
  readonly at: number;
  readonly status?: string;
}

const RESEND_MS = 1000;
const CHUNK_BYTES = 64 * 1024;

export class SimulatedFleet {
  readonly events: FleetEvent[] = [];
  /** Jobs running now across the fleet, and the most seen at once. */
  running = 0;
  maxRunning = 0;

  private constructor(readonly agents: readonly SimulatedAgent[]) {}

  /** Registers `count` nodes with one activation and connects them all. */
  static async start(server: FleetServer, options: SimulatedFleetOptions): Promise<SimulatedFleet> {
    const { count } = options;
    const activation = await signedSsmCall(
      server.url,
      'CreateActivation',
      {
        IamRole: 'OpenSSMNodeRole',
        RegistrationLimit: Math.max(1, Math.min(count, 1000)),
        DefaultInstanceName: 'sim',
        ...(options.tags === undefined ? {} : { Tags: options.tags }),
      },
      server.adminCredentials,
      server.region,
    );
    if (activation.status !== 200) {
      throw new Error(`CreateActivation failed: ${JSON.stringify(activation.body)}`);
    }
    // One key for every simulated node: registration only needs it to be a valid RSA key.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const agents: SimulatedAgent[] = [];
    const fleet = new SimulatedFleet(agents);
    const executor = options.executor ?? lightExecutor;
    const parallel = options.parallel ?? 32;
    let next = 0;
    const work = async () => {
      while (next < count) {
        next++;
        const agent = await SimulatedAgent.register(server, {
          activationId: activation.body['ActivationId'] as string,
          activationCode: activation.body['ActivationCode'] as string,
          publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
          privateKey,
          fleet,
          executor,
        });
        agents.push(agent);
        await agent.connect();
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, count) }, work));
    agents.sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
    return fleet;
  }

  get instanceIds(): string[] {
    return this.agents.map((agent) => agent.instanceId);
  }

  agent(instanceId: string): SimulatedAgent {
    const agent = this.agents.find((candidate) => candidate.instanceId === instanceId);
    if (agent === undefined) throw new Error(`no simulated node ${instanceId}`);
    return agent;
  }

  /** @internal */
  record(event: Omit<FleetEvent, 'at'>): void {
    this.events.push({ ...event, at: Date.now() });
  }

  async close(): Promise<void> {
    await Promise.all(this.agents.map((agent) => agent.disconnect()));
  }
}

interface PendingReply {
  readonly bytes: Uint8Array;
  sentAt: number;
}

export class SimulatedAgent {
  private socket: WebSocket | undefined;
  private readonly jobs = new Map<string, AbortController>();
  private readonly pending = new Map<string, PendingReply>();
  private timer: NodeJS.Timeout | undefined;
  /** Replies (by MessageId) the server acknowledged. */
  readonly acknowledged = new Set<string>();
  /** Every message the server sent, decoded. */
  readonly received: DecodedAgentMessage[] = [];
  /** Whether acknowledgements from the server are honoured (false: keep resending). */
  honourAcks = true;
  /** Refuse new jobs with this agent_job_ack code instead of running them (tests). */
  refuseWith: keyof typeof AgentJobAckStatus | undefined;

  private constructor(
    readonly instanceId: string,
    private readonly credentials: Credentials,
    private readonly server: FleetServer,
    private readonly fleet: SimulatedFleet,
    private readonly executor: SimulatedExecutor,
  ) {}

  static async register(
    server: FleetServer,
    options: {
      activationId: string;
      activationCode: string;
      publicKey: string;
      privateKey: KeyObject;
      fleet: SimulatedFleet;
      executor: SimulatedExecutor;
    },
  ): Promise<SimulatedAgent> {
    const fingerprint = randomUUID();
    const registered = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AmazonSSM.RegisterManagedInstance',
      },
      body: JSON.stringify({
        ActivationCode: options.activationCode,
        ActivationId: options.activationId,
        PublicKey: options.publicKey,
        Fingerprint: fingerprint,
      }),
    });
    const registration = (await registered.json()) as { InstanceId?: string };
    if (registration.InstanceId === undefined) {
      throw new Error(`RegisterManagedInstance failed: ${JSON.stringify(registration)}`);
    }
    const instanceId = registration.InstanceId;
    const body = JSON.stringify({ Fingerprint: fingerprint });
    const headers = signJsonRequestWithRsa(
      { host: new URL(server.url).host, target: 'AmazonSSM.RequestManagedInstanceRoleToken', body },
      { instanceId, privateKey: options.privateKey, region: server.region },
      new Date(),
    );
    const issued = (await (
      await fetch(`${server.url}/`, { method: 'POST', headers, body })
    ).json()) as Record<string, string>;
    return new SimulatedAgent(
      instanceId,
      {
        accessKeyId: issued['AccessKeyId']!,
        secretAccessKey: issued['SecretAccessKey']!,
        sessionToken: issued['SessionToken']!,
      },
      server,
      options.fleet,
      options.executor,
    );
  }

  get connected(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the control channel (a fresh token each time) and resends what is unacknowledged. */
  async connect(): Promise<void> {
    const response = await signedFetch({
      url: `${this.server.url}/v1/control-channel/${this.instanceId}`,
      service: 'ssmmessages',
      region: this.server.region,
      credentials: this.credentials,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ MessageSchemaVersion: '1.0', RequestId: randomUUID() }),
    });
    const text = await response.text();
    const token = /<TokenValue>([^<]+)<\/TokenValue>/.exec(text)?.[1];
    if (response.status !== 201 || token === undefined) {
      throw new Error(`CreateControlChannel failed (${response.status}): ${text}`);
    }
    const socket = new WebSocket(
      `${this.server.url.replace(/^http/, 'ws')}/v1/control-channel/${this.instanceId}?role=subscribe&stream=input`,
      { perMessageDeflate: false },
    );
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.on('error', () => socket.terminate());
    socket.on('message', (data, isBinary) => {
      if (isBinary) this.receive(new Uint8Array(data as Buffer));
    });
    socket.send(
      encodeOpenControlChannel({
        cookie: null,
        requestId: randomUUID(),
        tokenValue: token,
        agentVersion: '3.3.987.0',
        platformType: 'linux',
      }),
    );
    this.socket = socket;
    // The server marks the node connected once it has checked the token; a short wait for
    // the first round trip makes "connected" mean the server knows it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const reply of this.pending.values()) this.write(reply);
    this.timer ??= setInterval(() => this.resend(), RESEND_MS);
    this.timer.unref();
  }

  /** Drops the control channel, as a network cut would (jobs keep running). */
  async disconnect(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => socket.once('close', resolve));
    socket.terminate();
    await closed;
  }

  /** Sends raw bytes on the control channel (tests of bad input). */
  sendRaw(bytes: Uint8Array): void {
    this.socket?.send(bytes);
  }

  /** An AgentMessage from this node: sequence 0, flags 0, as AWS's agent sends them. */
  static message(
    messageType: string,
    payload: Uint8Array,
    messageId: string = randomUUID(),
  ): Uint8Array {
    return encodeAgentMessage(
      {
        messageType,
        schemaVersion: 1,
        createdDate: Date.now(),
        sequenceNumber: 0,
        flags: MessageFlags.None,
        messageId,
        payloadType: PayloadType.None,
        payload,
      },
      nodeSha256,
    );
  }

  private receive(bytes: Uint8Array): void {
    const message = decodeAgentMessage(bytes);
    this.received.push(message);
    if (message.messageType === MessageType.AgentJob) this.onJob(message);
    else if (message.messageType === MessageType.AgentJobReplyAck) {
      if (!this.honourAcks) return;
      const ack = parseAgentJobReplyAck(message.payload);
      this.pending.delete(ack.acknowledgedMessageId);
      this.acknowledged.add(ack.acknowledgedMessageId);
    }
  }

  private ack(message: DecodedAgentMessage, jobId: string, code: keyof typeof AgentJobAckStatus) {
    this.socket?.send(
      SimulatedAgent.message(
        MessageType.AgentJobAck,
        encodeAgentJobAck({
          jobId,
          acknowledgedMessageId: message.messageId,
          createdDate: new Date().toISOString(),
          statusCode: AgentJobAckStatus[code],
          errorMessage: code,
        }),
      ),
    );
  }

  private onJob(message: DecodedAgentMessage): void {
    const job = parseAgentJobPayload(message.payload);
    const { commandId } = parseAgentJobId(job.jobId);
    if (job.topic.startsWith(AgentJobTopic.CancelCommand)) {
      const target = parseAgentJobId(parseCancelCommandContent(job.content).cancelMessageId);
      const running = this.jobs.get(target.commandId);
      this.ack(message, job.jobId, 'Successful');
      this.fleet.record({
        kind: 'cancel',
        instanceId: this.instanceId,
        commandId: target.commandId,
      });
      running?.abort();
      this.reply(job.jobId, AgentJobTopic.CancelCommand, 1, running ? 'Success' : 'Failed', null);
      return;
    }
    if (this.refuseWith !== undefined) {
      this.ack(message, job.jobId, this.refuseWith);
      return;
    }
    if (this.jobs.has(commandId)) {
      this.fleet.record({ kind: 'duplicate', instanceId: this.instanceId, commandId });
      this.ack(message, job.jobId, 'DuplicateCommand');
      return;
    }
    const controller = new AbortController();
    this.jobs.set(commandId, controller);
    this.ack(message, job.jobId, 'Successful');
    this.fleet.record({ kind: 'job', instanceId: this.instanceId, commandId });
    this.fleet.running++;
    this.fleet.maxRunning = Math.max(this.fleet.maxRunning, this.fleet.running);
    void this.run(job.jobId, commandId, job.content, controller.signal);
  }

  private async run(
    jobId: string,
    commandId: string,
    content: string,
    signal: AbortSignal,
  ): Promise<void> {
    const parsed = JSON.parse(content) as {
      DocumentContent: {
        mainSteps?: { name: string }[];
        runtimeConfig?: Record<string, unknown>;
      };
      Parameters: Record<string, unknown>;
    };
    const pluginId =
      parsed.DocumentContent.mainSteps?.[0]?.name ??
      Object.keys(parsed.DocumentContent.runtimeConfig ?? {})[0] ??
      'aws:runShellScript';
    const commands = Array.isArray(parsed.Parameters['commands'])
      ? (parsed.Parameters['commands'] as string[])
      : [];
    const startedAt = new Date().toISOString();
    this.reply(jobId, AgentJobTopic.SendCommand, 0, 'InProgress', null);
    this.reply(jobId, AgentJobTopic.SendCommand, 1, 'InProgress', {
      [pluginId]: plugin('InProgress', 0, '', '', startedAt, ''),
    });
    let result: SimulatedResult;
    try {
      result = await this.executor({
        commandId,
        instanceId: this.instanceId,
        pluginId,
        commands,
        signal,
      });
    } catch (error) {
      result = { status: 'Failed', code: 1, stdout: '', stderr: String(error) };
    }
    const finished = plugin(
      result.status,
      result.code,
      result.stdout,
      result.stderr,
      startedAt,
      new Date().toISOString(),
    );
    const fullOutput = {
      [pluginId]: { stdout: summary(result.stdout), stderr: summary(result.stderr) },
    };
    this.reply(
      jobId,
      AgentJobTopic.SendCommand,
      2,
      'InProgress',
      { [pluginId]: finished },
      fullOutput,
    );
    this.fleet.running--;
    this.fleet.record({
      kind: 'finished',
      instanceId: this.instanceId,
      commandId,
      status: result.status,
    });
    this.reply(
      jobId,
      AgentJobTopic.SendCommand,
      3,
      result.status,
      { [pluginId]: finished },
      fullOutput,
    );
    for (const stream of ['stdout', 'stderr'] as const) {
      const bytes = Buffer.from(result[stream]);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      for (let offset = 0; offset < bytes.length; offset += CHUNK_BYTES) {
        const data = bytes.subarray(offset, offset + CHUNK_BYTES);
        this.queue(
          stableUuid(`${jobId}/output/${pluginId}/${stream}/${offset}`),
          jobId,
          'openssm.commandOutput',
          JSON.stringify({
            schemaVersion: 1,
            commandId,
            pluginId,
            stream,
            offset,
            totalBytes: bytes.length,
            sha256,
            eof: offset + data.length === bytes.length,
            data: data.toString('base64'),
          }),
        );
      }
    }
  }

  private reply(
    jobId: string,
    topic: string,
    sequence: number,
    documentStatus: string,
    runtimeStatus: Record<string, unknown> | null,
    fullOutput?: Record<string, unknown>,
  ): void {
    const content = JSON.stringify({
      additionalInfo: {
        agent: { lang: 'en-US', name: 'openssm-simulated', os: 'Linux', osver: '', ver: '0.0.0' },
        dateTime: new Date().toISOString(),
        runId: '',
        runtimeStatusCounts: null,
      },
      documentStatus,
      documentTraceOutput: '',
      runtimeStatus,
      openssm: { sequence, ...(fullOutput === undefined ? {} : { fullOutput }) },
    });
    this.queue(stableUuid(`${jobId}/reply/${sequence}`), jobId, topic, content);
  }

  private queue(messageId: string, jobId: string, topic: string, content: string): void {
    const bytes = SimulatedAgent.message(
      MessageType.AgentJobReply,
      encodeAgentJobReply({ jobId, content, topic }),
      messageId,
    );
    const reply = { bytes, sentAt: 0 };
    this.pending.set(messageId, reply);
    this.write(reply);
  }

  private write(reply: PendingReply): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return;
    reply.sentAt = Date.now();
    this.socket.send(reply.bytes);
  }

  private resend(): void {
    const due = Date.now() - RESEND_MS;
    for (const reply of this.pending.values()) if (reply.sentAt <= due) this.write(reply);
  }

  /** Replies not acknowledged yet. */
  get unacknowledged(): number {
    return this.pending.size;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

function plugin(
  status: string,
  code: number,
  stdout: string,
  stderr: string,
  startDateTime: string,
  endDateTime: string,
) {
  const combined = stderr === '' ? stdout : `${stdout}\n----------ERROR-------\n${stderr}`;
  return {
    status,
    code,
    name: 'aws:runShellScript',
    output: combined.slice(0, 2500),
    startDateTime,
    endDateTime,
    outputS3BucketName: '',
    outputS3KeyPrefix: '',
    stepName: '',
    standardOutput: stdout.slice(0, 24_000),
    standardError: stderr.slice(0, 24_000),
  };
}

function summary(text: string): { bytes: number; sha256: string } {
  const bytes = Buffer.from(text);
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** A UUID from a name: resends of the same reply carry the same MessageId. */
function stableUuid(name: string): string {
  const bytes = createHash('sha256').update(`simulated:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** `echo TEXT` prints, `exit N` ends with N, `sleep S` waits (cancellable); nothing else runs. */
export const lightExecutor: SimulatedExecutor = async ({ commands, signal }) => {
  let stdout = '';
  for (const line of commands) {
    const echo = /^echo (.*)$/.exec(line);
    const exit = /^exit ([0-9]+)$/.exec(line);
    const sleep = /^sleep ([0-9.]+)$/.exec(line);
    if (echo !== null) stdout += `${echo[1]}\n`;
    else if (exit !== null) {
      const code = Number(exit[1]);
      return { status: code === 0 ? 'Success' : 'Failed', code, stdout, stderr: '' };
    } else if (sleep !== null) {
      const cancelled = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), Number(sleep[1]) * 1000);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (cancelled) return { status: 'Cancelled', code: 137, stdout, stderr: '' };
    }
  }
  return { status: 'Success', code: 0, stdout, stderr: '' };
};
