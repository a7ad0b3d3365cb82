// Sessions (ssm-wire §2.3, §11.1): StartSession checks the target is connected, records the
// session, asks the node to open it and hands the caller a stream URL and a one-time token;
// ResumeSession hands out a fresh token; TerminateSession ends it on both sides.

import { randomBytes } from 'node:crypto';
import {
  CodedError,
  interpolateParameters,
  withParameterDefaults,
  type AgentTaskPayload,
  type JsonObject,
  type JsonValue,
  type SessionParameterValue,
} from '@openssm/protocol';
import { DEFAULT_SESSION_DOCUMENT } from '../documents/builtin-documents.js';
import type { ChannelTokens } from '../gateway/channel-tokens.js';
import type { SessionMonitor } from '../gateway/session-monitor.js';
import { resolveSessionPreferences } from '../logs/session-preferences.js';
import type { SessionFilter, SessionRepository } from '../storage/repositories.js';
import type {
  Page,
  PageRequest,
  Principal,
  SessionRecord,
  SessionStatus,
} from '../storage/records.js';
import type { ConnectionRegistry } from './connection-registry.js';
import type { InstanceService } from './instance-service.js';
import type { DocumentService } from './document-service.js';
import type { SessionLogging } from './session-logging.js';

/** What the gateway does for the session service; implemented by gateway/gateway.ts. */
export interface SessionGateway {
  /**
   * Sends `interactive_shell` to the node; false when it has no control channel here. The
   * monitor (recording, idle and duration limits) taps the session's frames until it ends.
   */
  openOnNode(instanceId: string, task: AgentTaskPayload, monitor?: SessionMonitor): boolean;
  /** Ends the session's channels with `channel_closed` (client, node data and control channel). */
  closeChannels(session: SessionRecord, output: string): void;
  /** Closes the node's control channel (it was deregistered). */
  disconnectNode(instanceId: string, reason: string): void;
}

export interface StartSessionInput {
  readonly target: string;
  readonly documentName: string;
  readonly reason: string;
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  /** The caller's `SSMSessionRunAs` principal tag: the node runs the shell as this user. */
  readonly runAsUser?: string;
}

export interface SessionTicket {
  readonly sessionId: string;
  readonly tokenValue: string;
  readonly streamUrl: string;
}

export interface SessionService {
  start(input: StartSessionInput, owner: Principal, now: number): Promise<SessionTicket>;
  resume(sessionId: string, now: number): Promise<SessionTicket>;
  terminate(sessionId: string, now: number, reason?: string): Promise<void>;
  /**
   * The node was deregistered: every active session on it ends (both sides get channel_closed)
   * and its control channel is closed. Its credentials are already revoked.
   */
  endForNode(instanceId: string, now: number, reason: string): Promise<number>;
  list(filter: SessionFilter, page: PageRequest): Promise<Page<SessionRecord>>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** Records a status change the gateway observed; ended sessions stay ended. */
  setStatus(
    sessionId: string,
    status: SessionStatus,
    now: number,
    details?: string,
  ): Promise<SessionRecord | undefined>;
}

export interface SessionServiceDependencies {
  readonly sessions: SessionRepository;
  readonly documents: DocumentService;
  readonly instances: InstanceService;
  readonly connections: ConnectionRegistry;
  readonly tokens: ChannelTokens;
  /** `ws(s)://host:port`, known once the listener is up. */
  readonly streamUrlBase: () => string;
  readonly gateway: () => SessionGateway;
  /** Recording, limits and lifecycle audit; sessions run unobserved without it. */
  readonly logging?: SessionLogging;
}

const FINAL: readonly SessionStatus[] = ['Terminated', 'Failed'];
/** Pages of 100 active sessions ended for one deregistered node at most (10,000 sessions). */
const END_FOR_NODE_MAX_ROUNDS = 100;

export function createSessionService(deps: SessionServiceDependencies): SessionService {
  const streamUrl = (sessionId: string) =>
    `${deps.streamUrlBase()}/v1/data-channel/${encodeURIComponent(sessionId)}?role=publish_subscribe`;

  async function terminate(sessionId: string, now: number, reason = ''): Promise<void> {
    const session = await deps.sessions.get(sessionId);
    if (session === undefined || FINAL.includes(session.status)) return; // idempotent, as AWS
    const ended = await deps.sessions.updateStatus(sessionId, 'Terminated', now, reason);
    if (ended !== undefined) deps.gateway().closeChannels(ended, reason);
  }

  return {
    async start(input, owner, now) {
      const document = await deps.documents.loadRunnable(input.documentName, 'Session');
      const parameters = toSessionParameters(document.resolveParameters(input.parameters));
      const instance = await deps.instances.get(input.target).catch(() => undefined);
      if (instance === undefined || !deps.connections.isConnected(instance.instanceId)) {
        throw new CodedError(
          'TargetNotConnected',
          `${input.target.slice(0, 400)} is not connected.`,
        );
      }
      // AWS's shape: the caller's name and 17 hex digits (policies match `session/${aws:username}-*`).
      const sessionId = `${owner.name.replace(/[^A-Za-z0-9_.@-]/g, '-').slice(0, 64)}-${randomBytes(9).toString('hex').slice(0, 17)}`;
      const session: SessionRecord = {
        sessionId,
        target: instance.instanceId,
        documentName: document.name,
        owner: owner.arn,
        reason: input.reason,
        status: 'Connecting',
        details: '',
        parameters: input.parameters,
        startedAt: now,
        endedAt: null,
      };
      await deps.sessions.insert(session);
      const tokenValue = await deps.tokens.issue('client-data', sessionId, now);
      let monitor: SessionMonitor | undefined;
      if (deps.logging !== undefined) {
        // Keys the session's document leaves unset come from the account's preferences.
        const regional =
          document.name === DEFAULT_SESSION_DOCUMENT
            ? undefined
            : await deps.documents
                .loadRunnable(DEFAULT_SESSION_DOCUMENT, 'Session')
                .then((preferences) => asInputs(preferences.content['inputs']))
                .catch(() => undefined);
        const preferences = resolveSessionPreferences(document.content, parameters, regional);
        monitor = await deps.logging.begin({
          sessionId,
          target: instance.instanceId,
          owner: { arn: owner.arn, name: owner.name },
          documentName: document.name,
          sessionType: document.model.sessionType ?? 'Standard_Stream',
          preferences,
          runAsUser:
            input.runAsUser ?? (preferences.runAsEnabled ? preferences.runAsDefaultUser : ''),
          startedAt: now,
          properties: resolvedProperties(document.content, parameters),
        });
      }
      const sent = deps.gateway().openOnNode(
        instance.instanceId,
        {
          sessionId,
          documentName: document.name,
          documentContent: document.content,
          parameters,
          sessionOwner: owner.arn,
          ...(input.runAsUser === undefined ? {} : { runAsUser: input.runAsUser }),
        },
        monitor,
      );
      if (!sent) {
        await deps.sessions.updateStatus(
          sessionId,
          'Failed',
          now,
          'The node disconnected before the session started.',
        );
        throw new CodedError('TargetNotConnected', `${instance.instanceId} is not connected.`);
      }
      return { sessionId, tokenValue, streamUrl: streamUrl(sessionId) };
    },

    async resume(sessionId, now) {
      const session = await deps.sessions.get(sessionId);
      if (session === undefined) {
        throw new CodedError(
          'DoesNotExistException',
          `Session ${sessionId.slice(0, 96)} does not exist.`,
        );
      }
      // An ended session resumes to an empty token: AWS's plugin then says it timed out.
      const tokenValue = FINAL.includes(session.status)
        ? ''
        : await deps.tokens.issue('client-data', sessionId, now);
      return { sessionId, tokenValue, streamUrl: streamUrl(sessionId) };
    },

    terminate,

    async endForNode(instanceId, now, reason) {
      let ended = 0;
      // Ended sessions leave the Active set: the first page is read again until it is empty,
      // a bounded number of times (a storage fault could keep one from ending).
      for (let round = 0; round < END_FOR_NODE_MAX_ROUNDS; round++) {
        const page = await deps.sessions.list(
          { state: 'Active', target: instanceId },
          { limit: 100 },
        );
        if (page.items.length === 0) break;
        for (const session of page.items) {
          await terminate(session.sessionId, now, reason);
          ended++;
        }
      }
      deps.gateway().disconnectNode(instanceId, reason);
      return ended;
    },

    list: (filter, page) => deps.sessions.list(filter, page),
    get: (sessionId) => deps.sessions.get(sessionId),
    setStatus: (sessionId, status, now, details) =>
      deps.sessions.updateStatus(sessionId, status, now, details),
  };
}

function asInputs(value: JsonValue | undefined): JsonObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/**
 * The agent's session task carries strings and string lists (§6.4): typed values of other
 * parameter types travel as their text (numbers and booleans as written, objects as JSON).
 */
/** The document's `properties` with the session's parameters substituted (connection records). */
function resolvedProperties(
  content: JsonObject,
  parameters: Readonly<Record<string, SessionParameterValue>>,
): JsonObject {
  const resolved = interpolateParameters(
    content['properties'] ?? {},
    withParameterDefaults(content, parameters),
  );
  return resolved !== null && typeof resolved === 'object' && !Array.isArray(resolved)
    ? (resolved as JsonObject)
    : {};
}

function toSessionParameters(
  values: Readonly<Record<string, JsonValue>>,
): Record<string, SessionParameterValue> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]): [string, SessionParameterValue] => {
      if (typeof value === 'string') return [name, value];
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
        return [name, value];
      }
      return [name, typeof value === 'object' ? JSON.stringify(value) : String(value)];
    }),
  );
}
