// The sessions this node runs, keyed by session id: starts one per interactive_shell (a repeated
// message for a running session is ignored), ends one on channel_closed, and ends them all when
// the agent stops. A task that cannot even be read is reported as Failed when its id is known.

import {
  parseAgentTaskPayload,
  parseChannelClosed,
  parseInteractiveShellPayload,
  type AgentTaskPayload,
} from '@openssm/protocol';
import { formatAgentError } from '../agent-error.js';
import { SessionTask, type SessionRuntime } from './session-task.js';

export class SessionManager {
  private readonly tasks = new Map<string, { task: SessionTask; done: Promise<void> }>();

  constructor(private readonly runtime: SessionRuntime) {}

  get size(): number {
    return this.tasks.size;
  }

  /** The running task of `sessionId` (for tests and status). */
  get(sessionId: string): SessionTask | undefined {
    return this.tasks.get(sessionId)?.task;
  }

  /** An interactive_shell payload from the control channel. */
  startFromMessage(payload: Uint8Array): void {
    const { log, completions } = this.runtime;
    let sessionId: string;
    let task: AgentTaskPayload;
    try {
      const shell = parseInteractiveShellPayload(payload);
      sessionId = shell.taskId;
      try {
        task = parseAgentTaskPayload(shell.content);
      } catch (error) {
        log.warn('unreadable interactive_shell task', {
          sessionId,
          error: formatAgentError(error),
        });
        if (sessionId !== '') {
          void completions.report(
            sessionId,
            'Failed',
            `the session task is not valid: ${String((error as Error).message)}`,
          );
        }
        return;
      }
    } catch (error) {
      log.warn('unreadable interactive_shell message', { error: formatAgentError(error) });
      return;
    }
    if (task.sessionId !== '' && task.sessionId !== sessionId) {
      log.warn('interactive_shell names two sessions; using TaskId', {
        sessionId,
        contentSessionId: task.sessionId,
      });
    }
    if (this.tasks.has(sessionId)) {
      log.debug('interactive_shell repeated for a running session', { sessionId });
      return;
    }
    log.info('starting session', { sessionId, documentName: task.documentName });
    const sessionTask = new SessionTask(sessionId, task, this.runtime);
    const done = sessionTask.run().finally(() => this.tasks.delete(sessionId));
    this.tasks.set(sessionId, { task: sessionTask, done });
  }

  /** A channel_closed payload from the control channel. */
  closeFromMessage(payload: Uint8Array): void {
    const closed = parseChannelClosed(payload);
    const entry = this.tasks.get(closed.sessionId);
    if (entry === undefined) {
      this.runtime.log.debug('channel_closed for no running session', {
        sessionId: closed.sessionId,
      });
      return;
    }
    entry.task.cancel('the server closed the session', { abandon: true });
  }

  /** Ends every session and waits (up to `timeoutMs`) until each has been reported. */
  async stopAll(timeoutMs: number): Promise<void> {
    const entries = [...this.tasks.values()];
    for (const { task } of entries) task.cancel('the agent is stopping');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(entries.map(({ done }) => done)),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }
}
