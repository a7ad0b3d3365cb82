// The host services the platform-free channel engine asks for, provided by Node.

import { createHash, randomUUID } from 'node:crypto';
import type { Environment } from '@openssm/channel';

export function nodeSha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function createNodeEnvironment(): Environment {
  return {
    clock: {
      now: () => Date.now(),
      setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
      clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
    },
    sha256: nodeSha256,
    randomUUID: () => randomUUID(),
  };
}
