// createTickCork: the first write of a turn corks the socket, later ones in the same turn do
// nothing more, and the deferred callback uncorks it once, ready for the next turn.

import { describe, expect, it } from 'vitest';
import { createTickCork } from '../src/tick-cork.js';

describe('createTickCork', () => {
  it('corks once per turn and uncorks when the deferred callback runs', () => {
    const calls: string[] = [];
    const deferred: (() => void)[] = [];
    const beforeWrite = createTickCork(
      { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') },
      (callback) => deferred.push(callback),
    );
    beforeWrite();
    beforeWrite();
    beforeWrite();
    expect(calls).toEqual(['cork']);
    expect(deferred).toHaveLength(1);
    deferred.shift()!();
    expect(calls).toEqual(['cork', 'uncork']);
    beforeWrite();
    expect(calls).toEqual(['cork', 'uncork', 'cork']);
    expect(deferred).toHaveLength(1);
  });
});
