// `[LOCAL_PORT:]HOST:PORT` as `openssm forward` takes it (ssh -L's order): the local port
// defaults to the remote one, 0 picks a free port, and an IPv6 host goes in brackets.

import { validateStreamDestination, type StreamDestination } from '@openssm/protocol';
import { UsageError } from '../errors.js';

export interface ForwardSpec {
  readonly localPort: number;
  readonly destination: StreamDestination;
}

const SPEC_PATTERN = /^(?:(\d{1,5}):)?(\[[0-9A-Fa-f:.]+\]|[^:[\]]+):(\d{1,5})$/;

export function parseForwardSpec(text: string): ForwardSpec {
  const match = SPEC_PATTERN.exec(text);
  if (match === null) {
    throw new UsageError(`${text} is not [LOCAL_PORT:]HOST:PORT (IPv6 hosts in brackets)`);
  }
  const [, localText, hostText = '', portText = ''] = match;
  const host = hostText.startsWith('[') ? hostText.slice(1, -1) : hostText;
  const port = Number(portText);
  const localPort = localText === undefined ? port : Number(localText);
  if (localPort > 65535) throw new UsageError(`local port ${localPort} is not in 0–65535`);
  try {
    validateStreamDestination({ host, port });
  } catch (error) {
    throw new UsageError(`${text}: ${(error as Error).message}`);
  }
  return { localPort, destination: { host, port } };
}

/** host:port, with brackets around an IPv6 address. */
export function formatDestination(destination: StreamDestination): string {
  const host = destination.host.includes(':') ? `[${destination.host}]` : destination.host;
  return `${host}:${destination.port}`;
}
