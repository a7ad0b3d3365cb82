// `openssm-agent run`: the composition root of a running agent. Reads the registration, builds
// the server connection (TLS policy, JSON API, Message Gateway), then runs the credentials, the
// heartbeat, the control channel and the sessions it starts, until stop() or until the server
// refuses this node's identity.

import { userInfo } from 'node:os';
import {
  MessageType,
  parseAgentTaskAcknowledge,
  type DecodedAgentMessage,
} from '@openssm/protocol';
import { AgentError, formatAgentError } from '../agent-error.js';
import { SsmClient } from '../api/ssm-client.js';
import type { AgentConfig } from '../config/agent-config.js';
import { ControlChannel } from '../control/control-channel.js';
import { TaskCompletionReporter } from '../control/task-completion.js';
import { Heartbeat } from '../heartbeat/heartbeat.js';
import { CredentialProvider } from '../identity/credential-provider.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { MessageGatewayClient } from '../mgs/mgs-client.js';
import { createHttpClient } from '../net/http-client.js';
import {
  NO_PROXY_SETTINGS,
  createTunnelConnector,
  createTunnelDialer,
  proxyFor,
  readProxyTrust,
  type ProxySettings,
} from '../net/proxy.js';
import { createTlsConnector, type CreateConnection, type TlsPolicy } from '../net/tls-policy.js';
import { readPlatformInfo, type PlatformInfo } from '../platform/platform-info.js';
import type { BackoffPolicy, Random } from '../retry/backoff.js';
import { RunCommandManager } from '../run-command/run-command-manager.js';
import { DestinationPolicy } from '../port/destination-policy.js';
import { ensureUser } from '../session/ensure-user.js';
import type { ProcessSpawner } from '../session/session-process.js';
import type { UserDirectory } from '../session/user-directory.js';
import { SessionManager } from '../session-controller/session-manager.js';
import { updateAgent } from './update.js';
import { AgentState, type Registration } from '../state/agent-state.js';
import { removeRuntimeStatus, writeRuntimeStatus } from '../state/runtime-status.js';
import { AGENT_VERSION, PACKAGE_VERSION } from '../version.js';

/** How long stop() waits for sessions to end and be reported before closing the channels. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Automatic update: first look a minute after start, then every 6 hours. */
const AUTO_UPDATE_FIRST_CHECK_MS = 60_000;
const AUTO_UPDATE_INTERVAL_MS = 6 * 60 * 60_000;

/** Exit status when the server refuses this node: EX_CONFIG, so a service manager stops retrying. */
export const EXIT_REGISTRATION_REJECTED = 78;

/** What tests (and only tests) replace; production uses the defaults. */
export interface AgentDependencies {
  readonly log?: Logger;
  readonly random?: Random;
  readonly agentIsRoot?: boolean;
  readonly users?: UserDirectory;
  readonly spawn?: ProcessSpawner;
  readonly ensureUser?: (name: string) => Promise<unknown>;
  readonly platform?: () => Promise<PlatformInfo>;
  readonly taskCompleteRetryMs?: number;
  readonly dataChannelReconnectDeadlineMs?: number;
  readonly handshakeTimeoutMs?: number;
  readonly shutdownTimeoutMs?: number;
  /** First resend delay of unacknowledged Run Command replies (and its cap). */
  readonly replyRetry?: BackoffPolicy;
}

/** The TLS policy for the server: flags given to `run` replace what registration stored. */
export function tlsPolicyOf(
  config: Pick<AgentConfig, 'caFile' | 'caFingerprint'>,
  registration?: Pick<Registration, 'caFile' | 'caFingerprint'>,
): TlsPolicy {
  const source =
    config.caFile !== undefined || config.caFingerprint !== undefined || registration === undefined
      ? config
      : registration;
  return {
    ...(source.caFile === undefined ? {} : { caFile: source.caFile }),
    ...(source.caFingerprint === undefined ? {} : { caFingerprint: source.caFingerprint }),
  };
}

/**
 * How connections to the server are opened: TLS under `policy`, through a CONNECT tunnel when
 * the environment names a proxy for it; undefined for a direct plain-http server.
 */
export async function createServerTransport(
  serverUrl: string,
  policy: TlsPolicy,
  proxy: ProxySettings = NO_PROXY_SETTINGS,
): Promise<CreateConnection | undefined> {
  const url = new URL(serverUrl);
  const via = proxyFor(url, proxy);
  const dial =
    via === undefined
      ? undefined
      : createTunnelDialer(via, await readProxyTrust(via, policy.caFile));
  if (url.protocol === 'https:') return createTlsConnector(policy, dial);
  return dial === undefined ? undefined : createTunnelConnector(dial);
}

export class Agent {
  readonly control: ControlChannel;
  readonly sessions: SessionManager;
  readonly completions: TaskCompletionReporter;
  readonly credentials: CredentialProvider;
  readonly heartbeat: Heartbeat;
  readonly runCommand: RunCommandManager;
  private readonly exit: Promise<number>;
  private resolveExit: (code: number) => void = () => undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly registration: Registration,
    private readonly config: AgentConfig,
    private readonly log: Logger,
    private readonly shutdownTimeoutMs: number,
    parts: {
      control: ControlChannel;
      sessions: SessionManager;
      completions: TaskCompletionReporter;
      credentials: CredentialProvider;
      heartbeat: Heartbeat;
      runCommand: RunCommandManager;
    },
  ) {
    ({
      control: this.control,
      sessions: this.sessions,
      completions: this.completions,
      credentials: this.credentials,
      heartbeat: this.heartbeat,
      runCommand: this.runCommand,
    } = parts);
    this.exit = new Promise((resolve) => {
      this.resolveExit = resolve;
    });
  }

  /** Builds the agent from its state directory; throws NotRegistered before registration. */
  static async load(config: AgentConfig, deps: AgentDependencies = {}): Promise<Agent> {
    const log = deps.log ?? createLogger(config.logLevel);
    const state = new AgentState(config.stateDir);
    const registration = await state.readRegistration();
    if (registration === undefined) {
      throw new AgentError(
        'NotRegistered',
        `no registration in ${config.stateDir}; run \`openssm-agent register\` first`,
      );
    }
    const { instanceId, serverUrl, region } = registration;
    const tls = await createServerTransport(
      serverUrl,
      tlsPolicyOf(config, registration),
      config.proxy,
    );
    const http = createHttpClient(tls);
    const ssm = new SsmClient({ serverUrl, region, http });
    const backoff: BackoffPolicy = { baseMs: config.reconnectBaseMs, capMs: config.reconnectCapMs };
    const random = deps.random;
    // Filled in once the agent exists; the providers it wires call back into it.
    const self: { agent?: Agent } = {};
    const credentials = new CredentialProvider({
      state,
      registration,
      ssm,
      keyRotationDays: config.keyRotationDays,
      backoff,
      log,
      ...(random === undefined ? {} : { random }),
      onRegistrationRejected: (error) => self.agent?.fail(error),
    });
    const mgs = new MessageGatewayClient({ serverUrl, region, http, tls, credentials });
    let dispatch: (message: DecodedAgentMessage) => void = () => undefined;
    let connected: () => void = () => undefined;
    const reportConnection = (isConnected: boolean): void => {
      writeRuntimeStatus(config.stateDir, {
        pid: process.pid,
        version: PACKAGE_VERSION,
        connected: isConnected,
        since: new Date().toISOString(),
      }).catch((error: unknown) =>
        log.debug('runtime status not written', { error: formatAgentError(error) }),
      );
    };
    const control = new ControlChannel({
      instanceId,
      mgs,
      pingIntervalMs: config.pingIntervalMs,
      connectionTimeoutMs: config.connectionTimeoutMs,
      backoff,
      ...(random === undefined ? {} : { random }),
      log,
      onMessage: (message) => dispatch(message),
      onConnected: () => {
        reportConnection(true);
        connected();
      },
      onDisconnected: () => reportConnection(false),
    });
    const completions = new TaskCompletionReporter({
      control,
      instanceId,
      log,
      ...(deps.taskCompleteRetryMs === undefined
        ? {}
        : { retryIntervalMs: deps.taskCompleteRetryMs }),
    });
    const sessions = new SessionManager({
      instanceId,
      mgs,
      completions,
      log,
      pingIntervalMs: config.pingIntervalMs,
      connectionTimeoutMs: config.connectionTimeoutMs,
      backoff,
      ...(random === undefined ? {} : { random }),
      agentIsRoot: deps.agentIsRoot ?? process.getuid?.() === 0,
      sessionEnvironment: config.sessionEnvironment,
      destinationPolicy: DestinationPolicy.parse(config.portForwardDeny),
      ensureUser: deps.ensureUser ?? ((name) => ensureUser(name)),
      ...(deps.users === undefined ? {} : { users: deps.users }),
      ...(deps.spawn === undefined ? {} : { spawn: deps.spawn }),
      ...(deps.dataChannelReconnectDeadlineMs === undefined
        ? {}
        : { dataChannelReconnectDeadlineMs: deps.dataChannelReconnectDeadlineMs }),
      ...(deps.handshakeTimeoutMs === undefined
        ? {}
        : { handshakeTimeoutMs: deps.handshakeTimeoutMs }),
    });
    const platform = deps.platform ?? (() => readPlatformInfo());
    const heartbeat = new Heartbeat({
      instanceId,
      ssm,
      credentials,
      platform,
      intervalMs: config.heartbeatIntervalMs,
      log,
    });
    const agentUser = userInfo();
    const runCommand = new RunCommandManager({
      stateDir: config.stateDir,
      instanceId,
      region,
      control,
      log,
      // Scripts run as the agent's user, with its identity (AWS passes its whole environment).
      environment: {
        HOME: agentUser.homedir,
        USER: agentUser.username,
        LOGNAME: agentUser.username,
        ...config.sessionEnvironment,
      },
      platform,
      ...(deps.replyRetry === undefined ? {} : { replyRetry: deps.replyRetry }),
      ...(random === undefined ? {} : { random }),
    });
    reportConnection(false);
    const agent = new Agent(
      registration,
      config,
      log,
      deps.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS,
      {
        control,
        sessions,
        completions,
        credentials,
        heartbeat,
        runCommand,
      },
    );
    self.agent = agent;
    dispatch = (message) => agent.dispatch(message);
    connected = () => runCommand.connected();
    return agent;
  }

  /** Resolves with the process exit status once the agent has stopped. */
  get exited(): Promise<number> {
    return this.exit;
  }

  async start(): Promise<void> {
    // Before the control channel: a job arriving must find the jobs of the previous run.
    await this.runCommand.start();
    await this.credentials.start();
    this.heartbeat.start();
    this.control.start();
    if (this.config.autoUpdate) this.scheduleUpdate(AUTO_UPDATE_FIRST_CHECK_MS);
    this.log.info('agent running', {
      instanceId: this.registration.instanceId,
      server: this.registration.serverUrl,
      version: AGENT_VERSION,
    });
  }

  /** Ends every session (reporting each), then closes the control channel. Idempotent. */
  stop(): Promise<void> {
    return this.shutDown(0);
  }

  private updateTimer: NodeJS.Timeout | undefined;

  /** Opt-in automatic update: a newer verified bundle is swapped in, then this agent stops. */
  private scheduleUpdate(delayMs: number): void {
    this.updateTimer = setTimeout(() => {
      updateAgent(this.config, this.log, { restartRunning: false })
        .then((outcome) => {
          if (outcome.updated) {
            this.log.info('restarting into the updated agent', { version: outcome.to });
            void this.stop();
          } else this.scheduleUpdate(AUTO_UPDATE_INTERVAL_MS);
        })
        .catch((error: unknown) => {
          this.log.warn('automatic update failed', { error: formatAgentError(error) });
          this.scheduleUpdate(AUTO_UPDATE_INTERVAL_MS);
        });
    }, delayMs);
    this.updateTimer.unref();
  }

  private fail(error: AgentError): void {
    this.log.error('the server refuses this node; stopping', { error: formatAgentError(error) });
    // Nothing can be reported to a server that refuses us: sessions are ended without waiting.
    void this.shutDown(EXIT_REGISTRATION_REJECTED, 0);
  }

  private shutDown(code: number, sessionTimeoutMs = this.shutdownTimeoutMs): Promise<void> {
    this.stopping ??= (async () => {
      this.log.info('agent stopping', { sessions: this.sessions.size });
      clearTimeout(this.updateTimer);
      this.heartbeat.stop();
      await this.sessions.stopAll(sessionTimeoutMs);
      // Running commands go on; the next agent adopts them.
      await this.runCommand.stop();
      await this.control.stop();
      this.credentials.stop();
      await removeRuntimeStatus(this.config.stateDir).catch(() => undefined);
      this.log.info('agent stopped');
      this.resolveExit(code);
    })();
    return this.stopping;
  }

  private dispatch(message: DecodedAgentMessage): void {
    switch (message.messageType) {
      case MessageType.InteractiveShell:
        this.sessions.startFromMessage(message.payload);
        return;
      case MessageType.ChannelClosed:
        this.sessions.closeFromMessage(message.payload);
        return;
      case MessageType.AgentTaskAcknowledge:
        this.completions.acknowledge(parseAgentTaskAcknowledge(message.payload));
        return;
      case MessageType.AgentJob:
        this.runCommand.handleJob(message);
        return;
      case MessageType.AgentJobReplyAck:
        this.runCommand.handleReplyAck(message.payload);
        return;
      default:
        // Anything newer than this agent: ignored.
        this.log.debug('ignored a control message', { messageType: message.messageType });
    }
  }
}
