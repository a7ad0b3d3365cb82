// What the agent keeps in its state directory (all 0600 in a 0700 directory, written atomically):
// registration.json (who this node is and where its server is), private-key.pem (its RSA key),
// private-key.pending.pem (a rotated key the server may already hold) and credentials.json (the
// cached temporary credentials).

import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { AgentError } from '../agent-error.js';
import { encodePrivateKeyPem, parsePrivateKeyPem } from '../identity/node-key.js';
import {
  ensureStateDir,
  readOptionalFile,
  removeFile,
  renameDurably,
  writeFileAtomic,
} from './state-files.js';

export interface Registration {
  readonly instanceId: string;
  readonly region: string;
  readonly serverUrl: string;
  /** A random UUID v4 generated at registration; sent with every credential request. */
  readonly fingerprint: string;
  readonly caFile?: string;
  /** 64 upper-case hex digits. */
  readonly caFingerprint?: string;
  /** When private-key.pem was created (ISO 8601); drives age-based key rotation. */
  readonly privateKeyCreatedAt?: string;
}

export interface CachedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** Epoch milliseconds; renewal is due at the half-life between the two. */
  readonly obtainedAt: number;
}

const INSTANCE_ID = /^(mi-[0-9a-f]{17}|i-[0-9a-f]{8}([0-9a-f]{9})?)$/;

export class AgentState {
  readonly registrationPath: string;
  readonly privateKeyPath: string;
  readonly pendingKeyPath: string;
  readonly credentialsPath: string;

  constructor(readonly dir: string) {
    this.registrationPath = join(dir, 'registration.json');
    this.privateKeyPath = join(dir, 'private-key.pem');
    this.pendingKeyPath = join(dir, 'private-key.pending.pem');
    this.credentialsPath = join(dir, 'credentials.json');
  }

  ensureDir(): Promise<void> {
    return ensureStateDir(this.dir);
  }

  /** The registration, or undefined when the node has not registered. */
  async readRegistration(): Promise<Registration | undefined> {
    const text = await readOptionalFile(this.registrationPath);
    return text === undefined ? undefined : parseRegistration(text, this.registrationPath);
  }

  async writeRegistration(registration: Registration): Promise<void> {
    await writeFileAtomic(this.registrationPath, `${JSON.stringify(registration, null, 2)}\n`);
  }

  async readPrivateKey(): Promise<KeyObject> {
    const key = await this.readKey(this.privateKeyPath);
    if (key === undefined) {
      throw new AgentError('StateInvalid', `${this.privateKeyPath} is missing`);
    }
    return key;
  }

  writePrivateKey(key: KeyObject): Promise<void> {
    return writeFileAtomic(this.privateKeyPath, encodePrivateKeyPem(key));
  }

  readPendingKey(): Promise<KeyObject | undefined> {
    return this.readKey(this.pendingKeyPath);
  }

  writePendingKey(key: KeyObject): Promise<void> {
    return writeFileAtomic(this.pendingKeyPath, encodePrivateKeyPem(key));
  }

  removePendingKey(): Promise<void> {
    return removeFile(this.pendingKeyPath);
  }

  /** Makes the pending key the node's key (one atomic rename: the old key is gone after it). */
  promotePendingKey(): Promise<void> {
    return renameDurably(this.pendingKeyPath, this.privateKeyPath);
  }

  /** Cached credentials, or undefined when there are none (or the cache is unreadable). */
  async readCredentials(): Promise<CachedCredentials | undefined> {
    const text = await readOptionalFile(this.credentialsPath);
    if (text === undefined) return undefined;
    try {
      return parseCredentials(text);
    } catch {
      return undefined; // only a cache: fetch new ones
    }
  }

  writeCredentials(credentials: CachedCredentials): Promise<void> {
    return writeFileAtomic(this.credentialsPath, `${JSON.stringify(credentials)}\n`);
  }

  removeCredentials(): Promise<void> {
    return removeFile(this.credentialsPath);
  }

  private async readKey(path: string): Promise<KeyObject | undefined> {
    const pem = await readOptionalFile(path);
    if (pem === undefined) return undefined;
    try {
      return parsePrivateKeyPem(pem);
    } catch (error) {
      throw new AgentError('StateInvalid', `${path} is not a usable RSA private key`, {
        cause: error,
      });
    }
  }
}

export function parseRegistration(text: string, path = 'registration.json'): Registration {
  const invalid = (detail: string) =>
    new AgentError('StateInvalid', `${path} is not a valid registration: ${detail}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('not a JSON object');
  }
  const record = value as Record<string, unknown>;
  const string = (key: string, pattern?: RegExp): string => {
    const field = record[key];
    if (typeof field !== 'string' || field === '' || (pattern && !pattern.test(field))) {
      throw invalid(`${key} is missing or malformed`);
    }
    return field;
  };
  const optional = (key: string, pattern?: RegExp): string | undefined =>
    record[key] === undefined || record[key] === null ? undefined : string(key, pattern);
  const caFile = optional('caFile');
  const caFingerprint = optional('caFingerprint', /^[0-9A-F]{64}$/);
  const privateKeyCreatedAt = optional('privateKeyCreatedAt');
  if (privateKeyCreatedAt !== undefined && Number.isNaN(Date.parse(privateKeyCreatedAt))) {
    throw invalid('privateKeyCreatedAt is not a date');
  }
  return {
    instanceId: string('instanceId', INSTANCE_ID),
    region: string('region', /^[a-z0-9-]{1,32}$/),
    serverUrl: string('serverUrl', /^https?:\/\/[^/\s?#]+$/),
    fingerprint: string('fingerprint', /^[\x21-\x7e]{1,256}$/),
    ...(caFile === undefined ? {} : { caFile }),
    ...(caFingerprint === undefined ? {} : { caFingerprint }),
    ...(privateKeyCreatedAt === undefined ? {} : { privateKeyCreatedAt }),
  };
}

function parseCredentials(text: string): CachedCredentials {
  const value = JSON.parse(text) as Record<string, unknown>;
  const { accessKeyId, secretAccessKey, sessionToken, expiresAt, obtainedAt } = value;
  if (
    typeof accessKeyId !== 'string' ||
    typeof secretAccessKey !== 'string' ||
    typeof sessionToken !== 'string' ||
    typeof expiresAt !== 'number' ||
    typeof obtainedAt !== 'number'
  ) {
    throw new Error('credentials.json is malformed');
  }
  return { accessKeyId, secretAccessKey, sessionToken, expiresAt, obtainedAt };
}
