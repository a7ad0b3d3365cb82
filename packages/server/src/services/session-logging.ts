// What happens around each session for logging and limits: at start the preferences are
// resolved, the recording is registered and a monitor (recorder, idle and duration limits) is
// built for the gateway; store failures and recoveries become audit events; a fail-closed
// session whose logs cannot be written, or one that hit a limit, is terminated with a reason.

import { randomUUID } from 'node:crypto';
import type { ServiceEvent } from '../audit/cloudtrail-record.js';
import { SessionMonitor, type LimitReached } from '../gateway/session-monitor.js';
import type { Logger } from '../logging/logger.js';
import { PortConnectionTracker } from '../logs/port-connection-tracker.js';
import { SessionRecorder } from '../logs/session-recorder.js';
import type { JsonObject } from '@openssm/protocol';
import type { SessionPreferences } from '../logs/session-preferences.js';
import type { RecordingRecord } from '../storage/log-records.js';
import type { RecordingRepository } from '../storage/log-repositories.js';
import type { ObjectStore } from '../storage/objects/object-store.js';
import type { LogService } from './log-service.js';
import { normalizeKeyPrefix } from './recording-service.js';
import { sessionArn, instanceArn, type ServerIdentity } from './services.js';

export interface SessionLoggingOptions {
  readonly identity: ServerIdentity;
  readonly recordings: RecordingRepository;
  readonly store: ObjectStore;
  readonly defaultBucket: string;
  readonly logs: LogService;
  readonly audit: (event: ServiceEvent) => void;
  /** Ends a session with a reason the client prints (TerminateSession's path). */
  readonly terminate: (sessionId: string, output: string) => Promise<void>;
  readonly minuteMs: number;
  readonly flushMs: number;
  readonly drainMs: number;
  readonly now: () => number;
  readonly log: Logger;
}

export interface SessionStartFacts {
  readonly sessionId: string;
  readonly target: string;
  readonly owner: { readonly arn: string; readonly name: string };
  readonly documentName: string;
  readonly sessionType: string;
  readonly preferences: SessionPreferences;
  readonly runAsUser: string;
  readonly startedAt: number;
  /** Port sessions: the document's properties with the parameters substituted. */
  readonly properties?: JsonObject;
  /** Where the StartSession call came from. */
  readonly sourceIp?: string;
}

export interface SessionLogging {
  /** Registers the recording and returns the monitor the gateway taps the session with. */
  begin(session: SessionStartFacts): Promise<SessionMonitor>;
  audit(event: ServiceEvent): void;
}

const RECORDED_SESSION_TYPES = new Set([
  'Standard_Stream',
  'InteractiveCommands',
  'NonInteractiveCommands',
]);

export function createSessionLogging(options: SessionLoggingOptions): SessionLogging {
  const { identity } = options;
  const resources = (sessionId: string, target: string) => [
    sessionArn(identity, sessionId),
    instanceArn(identity, target),
  ];

  function limitReached(
    session: SessionStartFacts,
  ): (sessionId: string, which: LimitReached, output: string) => void {
    return (sessionId, which, output) => {
      options.audit({
        name: which === 'idle' ? 'SessionIdleTimeout' : 'SessionMaxDurationReached',
        time: options.now(),
        owner: session.owner,
        resources: resources(sessionId, session.target),
        details: {
          sessionId,
          target: session.target,
          idleSessionTimeout: session.preferences.idleSessionTimeout,
          maxSessionDuration: session.preferences.maxSessionDuration ?? null,
          reason: output,
        },
      });
      options.terminate(sessionId, output).catch((error: unknown) =>
        options.log.error('closing a session at its limit failed', {
          sessionId,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    };
  }

  return {
    audit: options.audit,

    async begin(session) {
      const { preferences } = session;
      let recorder: SessionRecorder | undefined;
      if (RECORDED_SESSION_TYPES.has(session.sessionType)) {
        const recording: RecordingRecord = {
          sessionId: session.sessionId,
          target: session.target,
          owner: session.owner.arn,
          bucket:
            preferences.s3BucketName === '' ? options.defaultBucket : preferences.s3BucketName,
          keyPrefix: normalizeKeyPrefix(preferences.s3KeyPrefix),
          inputRecorded: preferences.recordInput,
          status: 'Recording',
          castBytes: 0,
          transcriptBytes: 0,
          startedAt: session.startedAt,
          endedAt: null,
          deletedAt: null,
        };
        await options.recordings.insert(recording);
        if (preferences.cloudWatchLogGroupName !== '') {
          // The stream exists from the start, as AWS's agent creates it (readers may poll it).
          await options.logs
            .append(preferences.cloudWatchLogGroupName, session.sessionId, [], session.startedAt)
            .catch(() => undefined);
        }
        const details = (what: string) => ({
          sessionId: session.sessionId,
          target: session.target,
          what,
          logFailureMode: preferences.logFailureMode,
        });
        recorder = new SessionRecorder({
          recording,
          preferences,
          region: identity.region,
          runAsUser: session.runAsUser,
          store: options.store,
          logs: options.logs,
          repository: options.recordings,
          now: options.now,
          log: options.log,
          flushMs: options.flushMs,
          drainMs: options.drainMs,
          report: {
            failed: (what, error) => {
              const errorId = randomUUID();
              options.log.error('session log write failed; retrying', {
                errorId,
                sessionId: session.sessionId,
                what,
                error,
              });
              options.audit({
                name: 'SessionLogWriteFailed',
                time: options.now(),
                owner: session.owner,
                resources: resources(session.sessionId, session.target),
                details: { ...details(what), error: error.slice(0, 512), errorId },
              });
            },
            recovered: (what, afterFailures) => {
              options.log.info('session log write recovered', {
                sessionId: session.sessionId,
                what,
                afterFailures,
              });
              options.audit({
                name: 'SessionLogWriteRecovered',
                time: options.now(),
                owner: session.owner,
                resources: resources(session.sessionId, session.target),
                details: { ...details(what), failedAttempts: afterFailures },
              });
            },
            closeSession: (reason) => {
              options.audit({
                name: 'SessionClosedOnLogFailure',
                time: options.now(),
                owner: session.owner,
                resources: resources(session.sessionId, session.target),
                details: { ...details('session logs'), reason },
              });
              options.terminate(session.sessionId, reason).catch((error: unknown) =>
                options.log.error('closing a session on log failure failed', {
                  sessionId: session.sessionId,
                  error: error instanceof Error ? error.message : String(error),
                }),
              );
            },
          },
        });
      }
      options.audit({
        name: 'SessionStart',
        time: session.startedAt,
        owner: session.owner,
        resources: resources(session.sessionId, session.target),
        details: {
          sessionId: session.sessionId,
          target: session.target,
          documentName: session.documentName,
          sessionType: session.sessionType,
          recorded: recorder !== undefined,
          preferences: {
            s3BucketName: preferences.s3BucketName,
            s3KeyPrefix: preferences.s3KeyPrefix,
            cloudWatchLogGroupName: preferences.cloudWatchLogGroupName,
            cloudWatchStreamingEnabled: preferences.cloudWatchStreamingEnabled,
            idleSessionTimeout: preferences.idleSessionTimeout,
            maxSessionDuration: preferences.maxSessionDuration ?? null,
            recordInput: preferences.recordInput,
            logFailureMode: preferences.logFailureMode,
          },
        },
      });
      const connections =
        session.sessionType === 'Port'
          ? new PortConnectionTracker({
              sessionId: session.sessionId,
              target: session.target,
              properties: session.properties ?? {},
              now: options.now,
              onRecord: (record) =>
                options.audit({
                  name: 'PortConnection',
                  time: record.closedAt,
                  owner: session.owner,
                  resources: resources(session.sessionId, session.target),
                  details: {
                    sessionId: record.sessionId,
                    target: record.target,
                    streamId: record.streamId,
                    destinationHost: record.destinationHost,
                    destinationPort: record.destinationPort,
                    clientAddress: record.clientAddress,
                    status: record.status,
                    bytesToDestination: record.bytesToDestination,
                    bytesFromDestination: record.bytesFromDestination,
                    openedAt: new Date(record.openedAt).toISOString(),
                    durationMs: record.closedAt - record.openedAt,
                  },
                }),
            })
          : undefined;
      return new SessionMonitor({
        ...(connections === undefined ? {} : { connections }),
        sessionId: session.sessionId,
        preferences,
        recorder,
        minuteMs: options.minuteMs,
        startedAt: session.startedAt,
        now: options.now,
        limitReached: limitReached(session),
      });
    },
  };
}
