// A SessionListener whose target is chosen after the handshake: the plugin learns only then
// whether it runs a shell or a port session. Until a target is bound, payloads are held (up to
// a bound, then refused so the agent resends them — an agent without a handshake starts with
// output) and the session's end is remembered; both are replayed to the target in order.

import type { ChannelClosed } from '@openssm/protocol';
import type { StreamMessage } from '@openssm/channel';
import type { SessionListener } from './session-connection.js';

/** What may arrive before the session type is known (a shell's first output). */
const MAX_HELD_BYTES = 1024 * 1024;

type Ending =
  | { readonly kind: 'closed'; readonly closed: ChannelClosed }
  | { readonly kind: 'timed-out' }
  | { readonly kind: 'failed'; readonly error: Error };

export class ListenerSwitch implements SessionListener {
  private target: SessionListener | undefined;
  private readonly messages: string[] = [];
  private readonly held: StreamMessage[] = [];
  private heldBytes = 0;
  private ending: Ending | undefined;
  private notifyEnded: (ending: Ending) => void = () => undefined;
  /** Settles when the session ended before a target was bound. */
  readonly endedEarly: Promise<Ending> = new Promise((resolve) => {
    this.notifyEnded = resolve;
  });

  /** `ready` (the handshake's outcome), or a rejection when the session ends before it. */
  readyOrEnded<T>(ready: Promise<T>): Promise<T> {
    return Promise.race([
      ready,
      this.endedEarly.then((ending): never => {
        throw ending.kind === 'failed' ? ending.error : new Error('the session ended');
      }),
    ]);
  }

  bind(target: SessionListener): void {
    this.target = target;
    for (const text of this.messages.splice(0)) target.onCustomerMessage(text);
    // A target that refuses a held message gets it again only by resend, which will not come
    // (it was acknowledged): hand the rest over regardless, as far as it takes them.
    for (const message of this.held.splice(0)) target.onPayload(message, true);
    this.heldBytes = 0;
    const ending = this.ending;
    if (ending?.kind === 'closed') target.onClosed(ending.closed);
    else if (ending?.kind === 'timed-out') target.onTimedOut();
    else if (ending?.kind === 'failed') target.onFailed(ending.error);
  }

  onPayload(message: StreamMessage, mustTake = false): boolean {
    if (this.target !== undefined) return this.target.onPayload(message, mustTake);
    if (this.heldBytes + message.payload.length > MAX_HELD_BYTES) return false;
    this.held.push(message);
    this.heldBytes += message.payload.length;
    return true;
  }

  onCustomerMessage(text: string): void {
    if (this.target === undefined) this.messages.push(text);
    else this.target.onCustomerMessage(text);
  }

  onClosed(closed: ChannelClosed): void {
    if (this.target !== undefined) this.target.onClosed(closed);
    else this.end({ kind: 'closed', closed });
  }

  onTimedOut(): void {
    if (this.target !== undefined) this.target.onTimedOut();
    else this.end({ kind: 'timed-out' });
  }

  onFailed(error: Error): void {
    if (this.target !== undefined) this.target.onFailed(error);
    else this.end({ kind: 'failed', error });
  }

  private end(ending: Ending): void {
    this.ending ??= ending;
    this.notifyEnded(ending);
  }
}
