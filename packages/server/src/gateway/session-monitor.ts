// Watches one live session from the gateway (docs/session-logs.md): counts activity for the
// idle timeout (input or output — a session printing every second is busy), enforces the
// maximum duration, feeds the recorder, and ends both when the session ends. AWS enforces
// idleSessionTimeout and maxSessionDuration in the service too (ssm-wire §4.11).

import { MessageType, PayloadType, type DecodedAgentMessage } from '@openssm/protocol';
import type { PortConnectionTracker } from '../logs/port-connection-tracker.js';
import type { SessionRecorder } from '../logs/session-recorder.js';
import type { SessionPreferences } from '../logs/session-preferences.js';
import type { RelayTap } from './data-relay.js';

/** What the client prints when the server closes an idle session (AWS's wording). */
export const IDLE_TIMEOUT_OUTPUT =
  'Your session timed out due to inactivity and has been terminated.';

export function maxDurationOutput(minutes: number): string {
  return `Your session reached its maximum duration of ${String(minutes)} minute${minutes === 1 ? '' : 's'} and has been terminated.`;
}

export type LimitReached = 'idle' | 'max-duration';

export interface SessionMonitorOptions {
  readonly sessionId: string;
  readonly preferences: SessionPreferences;
  /** Shell sessions are recorded; port sessions are not (yet). */
  readonly recorder: SessionRecorder | undefined;
  /** Port sessions: connection records. */
  readonly connections?: PortConnectionTracker;
  /** One "minute" of the preferences in ms: 60,000, except in tests (--session-minute-ms). */
  readonly minuteMs: number;
  readonly startedAt: number;
  readonly now: () => number;
  readonly limitReached: (sessionId: string, which: LimitReached, output: string) => void;
}

export class SessionMonitor implements RelayTap {
  private lastActivity: number;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private maxTimer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  constructor(private readonly options: SessionMonitorOptions) {
    this.lastActivity = options.startedAt;
    this.armIdle(this.idleMs());
    const max = options.preferences.maxSessionDuration;
    if (max !== undefined) {
      const remaining = options.startedAt + max * options.minuteMs - options.now();
      this.maxTimer = setTimeout(
        () => this.reach('max-duration', maxDurationOutput(max)),
        Math.max(0, remaining),
      );
      this.maxTimer.unref();
    }
  }

  fromAgent(message: DecodedAgentMessage): void {
    if (
      message.messageType === MessageType.OutputStreamData &&
      (message.payloadType === PayloadType.Output || message.payloadType === PayloadType.StdErr)
    ) {
      this.lastActivity = this.options.now();
    }
    this.safely(() => this.options.recorder?.fromAgent(message));
    this.safely(() => this.options.connections?.fromAgent(message));
  }

  clientAttached(address: string): void {
    this.options.connections?.clientAttached(address);
  }

  fromClient(message: DecodedAgentMessage): void {
    if (
      message.messageType === MessageType.InputStreamData &&
      (message.payloadType === PayloadType.Output || message.payloadType === PayloadType.Size)
    ) {
      this.lastActivity = this.options.now();
    }
    this.safely(() => this.options.recorder?.fromClient(message));
    this.safely(() => this.options.connections?.fromClient(message));
  }

  /** Stops the timers and finishes the recording (retries go on in the background). */
  async end(endedAt: number): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    if (this.maxTimer !== undefined) clearTimeout(this.maxTimer);
    this.safely(() => this.options.connections?.end());
    await this.options.recorder?.finish(endedAt);
  }

  private idleMs(): number {
    return this.options.preferences.idleSessionTimeout * this.options.minuteMs;
  }

  private armIdle(delay: number): void {
    this.idleTimer = setTimeout(
      () => {
        if (this.ended) return;
        const idleFor = this.options.now() - this.lastActivity;
        if (idleFor >= this.idleMs()) this.reach('idle', IDLE_TIMEOUT_OUTPUT);
        else this.armIdle(this.idleMs() - idleFor);
      },
      Math.max(1, delay),
    );
    this.idleTimer.unref();
  }

  private reach(which: LimitReached, output: string): void {
    if (this.ended) return;
    this.options.limitReached(this.options.sessionId, which, output);
  }

  private safely(work: () => void): void {
    try {
      work();
    } catch {
      // A recorder bug must never break the relay; the recording's status tells it was cut.
    }
  }
}
