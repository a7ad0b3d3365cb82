// Reports how a session ended with agent_task_complete on the control channel (ssm-wire §6.5):
// the same MessageId each time, RetryNumber counting up, 1 s apart, until agent_task_acknowledge
// names that MessageId — three sends at most, as AWS's agent. A control channel that is down
// does not use up the attempts: the report waits for it to come back (up to a limit).

import { randomUUID } from 'node:crypto';
import { MessageType, encodeAgentTaskComplete, type AgentTaskAcknowledge } from '@openssm/protocol';
import type { Logger } from '../logging/logger.js';
import { encodeControlMessage } from '../mgs/agent-messages.js';

/** AWS's agent sends agent_task_complete three times at most (noOfContinuousRetries). */
export const TASK_COMPLETE_ATTEMPTS = 3;
/** ... one second apart. */
export const TASK_COMPLETE_RETRY_MS = 1000;
/** How long a report waits for a control channel; beyond it the server ends the session itself. */
export const TASK_COMPLETE_CONNECT_WAIT_MS = 120_000;

export type FinalTaskStatus = 'Success' | 'Failed';

export interface ControlLink {
  send(bytes: Uint8Array): boolean;
  whenConnected(timeoutMs: number): Promise<boolean>;
}

export interface TaskCompletionOptions {
  readonly control: ControlLink;
  readonly instanceId: string;
  readonly log: Logger;
  readonly retryIntervalMs?: number;
  readonly connectWaitMs?: number;
}

export class TaskCompletionReporter {
  private readonly pending = new Map<string, () => void>();

  constructor(private readonly options: TaskCompletionOptions) {}

  /** Number of reports still waiting for an acknowledgement. */
  get unacknowledged(): number {
    return this.pending.size;
  }

  /** Sends the report until acknowledged; resolves true when it was. */
  async report(sessionId: string, status: FinalTaskStatus, output: string): Promise<boolean> {
    const { control, log, instanceId } = this.options;
    const retryMs = this.options.retryIntervalMs ?? TASK_COMPLETE_RETRY_MS;
    const messageId = randomUUID();
    let acknowledged = false;
    let wake: () => void = () => undefined;
    this.pending.set(messageId, () => {
      acknowledged = true;
      wake();
    });
    try {
      for (let retryNumber = 0; retryNumber < TASK_COMPLETE_ATTEMPTS; retryNumber++) {
        if (acknowledged) break;
        if (
          !(await control.whenConnected(
            this.options.connectWaitMs ?? TASK_COMPLETE_CONNECT_WAIT_MS,
          ))
        ) {
          break;
        }
        const payload = encodeAgentTaskComplete({
          taskId: sessionId,
          topic: MessageType.AgentTaskComplete,
          finalTaskStatus: status,
          isRoutingFailure: false,
          awsAccountId: '',
          instanceId,
          // The output field is free text for the operator; AWS caps replies at 120 000 bytes.
          output: output.slice(0, 4000),
          s3Bucket: '',
          s3UrlSuffix: '',
          cwlGroup: '',
          cwlStream: '',
          retryNumber,
        });
        control.send(encodeControlMessage(MessageType.AgentTaskComplete, payload, messageId));
        log.debug('sent agent_task_complete', { sessionId, status, retryNumber });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, retryMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          if (acknowledged) wake();
        });
      }
    } finally {
      this.pending.delete(messageId);
    }
    if (acknowledged) log.info('session reported', { sessionId, status });
    else log.warn('agent_task_complete was not acknowledged', { sessionId, status });
    return acknowledged;
  }

  /** An agent_task_acknowledge arrived; unknown ids (late duplicates) are ignored. */
  acknowledge(ack: AgentTaskAcknowledge): void {
    this.pending.get(ack.messageId)?.();
  }
}
