// The node's temporary credentials (ssm-wire §9.2): obtained with RequestManagedInstanceRoleToken
// signed by the node's RSA key, cached in credentials.json, renewed at half-life, and the key
// rotated when the server asks (UpdateKeyPair) or it grows too old.
//
// Rotation never strands the node: the new key is written to private-key.pending.pem before
// UpdateManagedInstancePublicKey (signed with the old key) is sent, because an answer lost on
// the way back leaves the server holding a key we would otherwise have thrown away. The old key
// stays private-key.pem until a RequestManagedInstanceRoleToken signed with the new one has
// succeeded; only then is the pending key renamed over it. Whenever the current key is refused,
// the pending one is tried; whenever the current key works, a pending one is discarded.

import type { KeyObject } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { AgentError, formatAgentError, hasAwsCode } from '../agent-error.js';
import type { RoleToken, SsmClient } from '../api/ssm-client.js';
import type { Logger } from '../logging/logger.js';
import type { TemporaryCredentials } from '../net/sigv4-signer.js';
import { Backoff, sleep, type BackoffPolicy, type Random } from '../retry/backoff.js';
import type { AgentState, CachedCredentials, Registration } from '../state/agent-state.js';
import { encodePublicKeyForApi, generateNodeKey } from './node-key.js';

/** Credentials this close to expiry are not handed out: a request signed now must still pass. */
const EXPIRY_MARGIN_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** AWS codes that mean "this key (or this node) is not known": try the other key, or give up. */
export const IDENTITY_REJECTED = [
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidKeyId',
  'InvalidInstanceId',
] as const;

/** AWS codes on an HMAC-signed call that mean the temporary credentials are no good any more. */
export const CREDENTIALS_REJECTED = [
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
] as const;

export interface CredentialProviderOptions {
  readonly state: AgentState;
  readonly registration: Registration;
  readonly ssm: SsmClient;
  readonly keyRotationDays: number;
  readonly backoff: BackoffPolicy;
  readonly log: Logger;
  readonly now?: () => number;
  readonly random?: Random;
  /** The server refuses every key this node has: it must register again. */
  readonly onRegistrationRejected: (error: AgentError) => void;
}

export class CredentialProvider {
  private key: KeyObject | undefined;
  private keyCreatedAt = 0;
  private registration: Registration;
  private cached: CachedCredentials | undefined;
  private refreshing: Promise<CachedCredentials> | undefined;
  /** Refresh and rotation never run at the same time. */
  private serial: Promise<unknown> = Promise.resolve();
  private renewal: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private readonly now: () => number;

  constructor(private readonly options: CredentialProviderOptions) {
    this.registration = options.registration;
    this.now = options.now ?? Date.now;
  }

  /** Loads the key and any cached credentials, and schedules their renewal. */
  async start(): Promise<void> {
    const { state } = this.options;
    this.key = await state.readPrivateKey();
    const created = this.registration.privateKeyCreatedAt;
    this.keyCreatedAt =
      created !== undefined ? Date.parse(created) : (await stat(state.privateKeyPath)).mtimeMs;
    const cached = await state.readCredentials();
    if (cached !== undefined && this.usable(cached)) {
      this.cached = cached;
      this.scheduleRenewal(cached);
    }
  }

  stop(): void {
    this.stopping.abort();
    clearTimeout(this.renewal);
  }

  /** Valid credentials, fetched when there are none or they are about to expire. */
  async current(): Promise<TemporaryCredentials> {
    const cached = this.cached;
    if (cached !== undefined && this.usable(cached)) return cached;
    return this.refresh();
  }

  /** Not about to expire (the margin shrinks for short-lived credentials, as in tests). */
  private usable(credentials: CachedCredentials): boolean {
    const lifetime = credentials.expiresAt - credentials.obtainedAt;
    const margin = Math.min(EXPIRY_MARGIN_MS, lifetime / 4);
    return this.now() < credentials.expiresAt - margin;
  }

  /** The server refused `credentials`: the next current() fetches new ones. */
  invalidate(credentials: TemporaryCredentials): void {
    if (this.cached?.accessKeyId === credentials.accessKeyId) this.cached = undefined;
  }

  /** Fetches new credentials now (one request however many callers ask at once). */
  refresh(): Promise<CachedCredentials> {
    this.refreshing ??= this.exclusive(() => this.fetch()).finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async fetch(): Promise<CachedCredentials> {
    const { state, ssm, log } = this.options;
    const { instanceId, fingerprint } = this.registration;
    const pending = await state.readPendingKey();
    let token: RoleToken;
    try {
      token = await ssm.requestManagedInstanceRoleToken(
        { instanceId, privateKey: this.key! },
        fingerprint,
      );
      if (pending !== undefined) {
        // The server still holds the current key: the pending one was never accepted.
        await state.removePendingKey();
      }
    } catch (error) {
      if (!hasAwsCode(error, ...IDENTITY_REJECTED)) throw error;
      if (pending === undefined) throw this.rejected(error);
      log.warn('the current key was refused; trying the rotated key', {
        reason: (error as AgentError).awsCode,
      });
      try {
        token = await ssm.requestManagedInstanceRoleToken(
          { instanceId, privateKey: pending },
          fingerprint,
        );
      } catch (second) {
        throw hasAwsCode(second, ...IDENTITY_REJECTED) ? this.rejected(second) : second;
      }
      await this.adopt(pending);
    }
    const credentials = await this.accept(token);
    if (this.rotationDue(token)) {
      // After this refresh settles: rotation takes the same lock.
      void this.exclusive(() => this.rotate()).catch((error: unknown) =>
        log.warn('key rotation failed; it is tried again at the next renewal', {
          error: formatAgentError(error),
        }),
      );
    }
    return credentials;
  }

  private rotationDue(token: RoleToken): boolean {
    const ageMs = this.now() - this.keyCreatedAt;
    return token.updateKeyPair || ageMs > this.options.keyRotationDays * DAY_MS;
  }

  private async rotate(): Promise<void> {
    const { state, ssm, log } = this.options;
    const { instanceId, fingerprint } = this.registration;
    const next = await generateNodeKey();
    await state.writePendingKey(next);
    try {
      await ssm.updateManagedInstancePublicKey(
        { instanceId, privateKey: this.key! },
        encodePublicKeyForApi(next),
      );
    } catch (error) {
      // A refusal is definite: the server keeps the old key. A network failure is not: keep the
      // pending key, the next credential request finds out which one the server holds.
      if (error instanceof AgentError && error.code === 'ServerError') {
        await state.removePendingKey();
      }
      throw error;
    }
    const token = await ssm.requestManagedInstanceRoleToken(
      { instanceId, privateKey: next },
      fingerprint,
    );
    await this.adopt(next);
    await this.accept(token);
    log.info('rotated the node key', { instanceId });
  }

  /** Makes the pending key the node's key, durably. */
  private async adopt(key: KeyObject): Promise<void> {
    const { state } = this.options;
    await state.promotePendingKey();
    this.key = key;
    this.keyCreatedAt = this.now();
    this.registration = {
      ...this.registration,
      privateKeyCreatedAt: new Date(this.keyCreatedAt).toISOString(),
    };
    await state.writeRegistration(this.registration);
  }

  private async accept(token: RoleToken): Promise<CachedCredentials> {
    const credentials: CachedCredentials = {
      accessKeyId: token.accessKeyId,
      secretAccessKey: token.secretAccessKey,
      sessionToken: token.sessionToken,
      expiresAt: token.expiresAt,
      obtainedAt: this.now(),
    };
    try {
      await this.options.state.writeCredentials(credentials);
    } catch (error) {
      // Only a cache: the agent works without it.
      this.options.log.warn('cannot cache the credentials', { error: formatAgentError(error) });
    }
    // Handed out only from here on, when the refresh is about to settle: credentials refused and
    // invalidated by a caller must never come back from a refresh still in flight.
    this.cached = credentials;
    this.scheduleRenewal(credentials);
    this.options.log.info('obtained credentials', {
      expiresAt: new Date(credentials.expiresAt).toISOString(),
    });
    return credentials;
  }

  /** Renews at half of the lifetime, retrying with backoff until it works or the agent stops. */
  private scheduleRenewal(credentials: CachedCredentials): void {
    clearTimeout(this.renewal);
    if (this.stopping.signal.aborted) return;
    const halfLife = credentials.obtainedAt + (credentials.expiresAt - credentials.obtainedAt) / 2;
    this.renewal = setTimeout(
      () => void this.renewUntilDone(),
      Math.max(0, Math.min(halfLife - this.now(), 2 ** 31 - 1)),
    );
  }

  private async renewUntilDone(): Promise<void> {
    const backoff = new Backoff(this.options.backoff, this.options.random);
    while (!this.stopping.signal.aborted) {
      try {
        await this.refresh();
        return;
      } catch (error) {
        if (error instanceof AgentError && error.code === 'RegistrationRejected') return;
        const delay = backoff.next();
        this.options.log.warn('renewing the credentials failed; retrying', {
          error: formatAgentError(error),
          retryInMs: delay,
        });
        await sleep(delay, this.stopping.signal);
      }
    }
  }

  private rejected(cause: unknown): AgentError {
    const error = new AgentError(
      'RegistrationRejected',
      `the server no longer accepts this node (${formatAgentError(cause)}); register it again with \`openssm-agent register --force\``,
      { cause },
    );
    this.options.onRegistrationRejected(error);
    return error;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.serial.then(task, task);
    this.serial = run.catch(() => undefined);
    return run;
  }
}
