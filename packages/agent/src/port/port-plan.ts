// Turns a Port session task (ssm-wire §5.1, §5.3) into what the port session needs: the
// properties the handshake shows the client, the destination, and — once the client's version
// is known — the mode: smux (many connections), basic (one at a time), stdio (one connection
// whose end ends the session, AWS-StartSSHSession) or OpenSSM's multi-destination mux.

import type { AgentTaskPayload, JsonObject } from '@openssm/protocol';
import {
  SessionDocumentError,
  resolveParameters,
  substitute,
} from '../session-controller/session-document.js';

/** `properties.type` of AWS's local and remote port forwarding documents. */
export const LOCAL_PORT_FORWARDING = 'LocalPortForwarding';
/** `properties.type` of OpenSSM-StartMultiPortForwardingSession (docs/decisions/0009). */
export const MULTI_PORT_FORWARDING = 'OpenSSMMultiPortForwarding';
/** AWS's agent uses smux with clients from this version on (ssm-wire §5.3). */
export const MUX_MIN_CLIENT_VERSION = '1.1.70';

export type PortMode = 'mux' | 'basic' | 'stdio' | 'multi';

export interface PortSessionPlan {
  /** The document's resolved properties, shown to the client in the handshake. */
  readonly properties: JsonObject;
  readonly type: string;
  /** Where the connection goes; undefined in multi mode (each stream says). */
  readonly destination?: { readonly host: string; readonly port: number };
}

export function planPortSession(task: AgentTaskPayload): PortSessionPlan {
  const document = task.documentContent;
  if (document['schemaVersion'] !== '1.0') {
    throw new SessionDocumentError(
      `document ${task.documentName} has schemaVersion ${JSON.stringify(document['schemaVersion'])}; session documents must be 1.0`,
    );
  }
  const parameters = resolveParameters(document, task.parameters);
  const resolved = substitute(document['properties'] ?? {}, parameters);
  if (resolved === null || typeof resolved !== 'object' || Array.isArray(resolved)) {
    throw new SessionDocumentError('a Port document needs a properties object');
  }
  const properties = resolved as JsonObject;
  const type = typeof properties['type'] === 'string' ? properties['type'] : '';
  if (type === MULTI_PORT_FORWARDING) return { properties, type };
  const portText = properties['portNumber'];
  const port = typeof portText === 'string' ? Number(portText) : NaN;
  if (typeof portText !== 'string' || !/^\d{1,5}$/.test(portText) || port < 1 || port > 65535) {
    throw new SessionDocumentError(
      `portNumber ${JSON.stringify(portText ?? null)} is not a port number (1–65535)`,
    );
  }
  const hostValue = properties['host'];
  const host =
    typeof hostValue === 'string' && hostValue.trim() !== '' ? hostValue.trim() : 'localhost';
  return { properties, type, destination: { host, port } };
}

/** The mode AWS's agent would pick for this client (ssm-wire §5.3), plus OpenSSM's multi. */
export function selectPortMode(plan: PortSessionPlan, clientVersion: string): PortMode {
  if (plan.type === MULTI_PORT_FORWARDING) return 'multi';
  if (plan.type !== LOCAL_PORT_FORWARDING) return 'stdio';
  return compareVersions(clientVersion, MUX_MIN_CLIENT_VERSION) >= 0 ? 'mux' : 'basic';
}

/** Dotted numeric versions compared component by component (missing parts count as 0). */
export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const right = b.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}
