// Repository interfaces the services use; drivers (sqlite/, later postgres/) implement them and
// one compliance suite tests every driver. All methods are async so a networked driver fits.
// Writes resolve only once durable: callers acknowledge to clients after the promise settles.

import type { IamStorage } from './iam-repositories.js';
import type {
  AccessKeyLastUsed,
  AccessKeyRecord,
  ActivationRecord,
  ChannelTokenRecord,
  InstanceInformationUpdate,
  ManagedInstanceRecord,
  Page,
  Principal,
  PageRequest,
  SessionRecord,
  SessionStatus,
  Tag,
} from './records.js';

export interface AccessKeyRepository {
  insert(key: AccessKeyRecord): Promise<void>;
  get(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** A principal's long-term keys (temporary ones are left out), oldest first. */
  listLongTerm(principalId: string): Promise<readonly AccessKeyRecord[]>;
  /** Active or Inactive; false when the key does not exist. */
  setActive(accessKeyId: string, active: boolean): Promise<boolean>;
  /** Records a use (GetAccessKeyLastUsed); false when the key does not exist. */
  recordUse(accessKeyId: string, lastUsed: AccessKeyLastUsed): Promise<boolean>;
  /** Re-seals a secret (a new sealing key, or a secret a migration left unsealed). */
  replaceSealedSecret(accessKeyId: string, sealedSecret: string): Promise<boolean>;
  /** Points every key of `principalId` at `principal` (an identity that changed id). */
  reassignPrincipal(principalId: string, principal: Principal): Promise<number>;
  delete(accessKeyId: string): Promise<boolean>;
  /** Removes keys that expired before `now` (temporary credentials); returns how many. */
  deleteExpired(now: number): Promise<number>;
  /** Removes every key of a principal (for example a deregistered node). */
  deleteForPrincipal(principalId: string): Promise<number>;
}

export interface ActivationFilter {
  readonly activationIds?: readonly string[];
  readonly iamRole?: string;
  readonly defaultInstanceName?: string;
}

export interface ActivationRepository {
  insert(activation: ActivationRecord): Promise<void>;
  get(activationId: string): Promise<ActivationRecord | undefined>;
  list(filter: ActivationFilter, page: PageRequest): Promise<Page<ActivationRecord>>;
  /** True when it existed. */
  delete(activationId: string): Promise<boolean>;
  /**
   * Atomically counts one registration against the activation when it is unexpired at `now`
   * and below its limit; false otherwise (nothing changed). Two racing registrations can never
   * both take the last slot.
   */
  claimRegistration(activationId: string, now: number): Promise<boolean>;
}

export interface InstanceFilter {
  readonly instanceIds?: readonly string[];
  /** Leave these out (for example the nodes that are online, when asking for the others). */
  readonly excludeInstanceIds?: readonly string[];
  readonly activationIds?: readonly string[];
  readonly iamRoles?: readonly string[];
  readonly platformTypes?: readonly string[];
  readonly agentVersions?: readonly string[];
  readonly names?: readonly string[];
  /** Every entry must match: a tag with this key and one of the values (any value when empty). */
  readonly tags?: readonly { readonly key: string; readonly values: readonly string[] }[];
  /** Include deregistered instances (default false). */
  readonly includeDeregistered?: boolean;
}

export interface InstanceRepository {
  insert(instance: ManagedInstanceRecord): Promise<void>;
  get(instanceId: string): Promise<ManagedInstanceRecord | undefined>;
  list(filter: InstanceFilter, page: PageRequest): Promise<Page<ManagedInstanceRecord>>;
  updateInformation(
    instanceId: string,
    update: InstanceInformationUpdate,
    now: number,
  ): Promise<boolean>;
  touch(instanceId: string, now: number): Promise<boolean>;
  updatePublicKey(instanceId: string, publicKey: string): Promise<boolean>;
  markDeregistered(instanceId: string, now: number): Promise<boolean>;
  /** Adds or replaces tags by key; returns false when the instance does not exist. */
  addTags(instanceId: string, tags: readonly Tag[]): Promise<boolean>;
  removeTags(instanceId: string, keys: readonly string[]): Promise<boolean>;
}

export interface SessionFilter {
  /** Active (Connecting, Connected, Disconnected, Terminating) or History (Terminated, Failed). */
  readonly state: 'Active' | 'History';
  readonly target?: string;
  readonly owner?: string;
  readonly status?: SessionStatus;
  readonly sessionId?: string;
  readonly startedAfter?: number;
  readonly startedBefore?: number;
}

export interface SessionRepository {
  insert(session: SessionRecord): Promise<void>;
  get(sessionId: string): Promise<SessionRecord | undefined>;
  /** Newest first. */
  list(filter: SessionFilter, page: PageRequest): Promise<Page<SessionRecord>>;
  /**
   * Moves a session to `status` unless it already ended (Terminated or Failed are final);
   * `endedAt` is recorded for final statuses. Returns the updated record, or undefined.
   */
  updateStatus(
    sessionId: string,
    status: SessionStatus,
    now: number,
    details?: string,
  ): Promise<SessionRecord | undefined>;
}

export interface ChannelTokenRepository {
  insert(token: ChannelTokenRecord): Promise<void>;
  /**
   * Marks the token used and returns it when it exists, is unused, unexpired at `now`, of
   * `kind` and bound to `channelId`; otherwise undefined and nothing changes. Atomic: a token
   * can be consumed once only, even by racing requests.
   */
  consume(
    tokenHash: string,
    kind: ChannelTokenRecord['kind'],
    channelId: string,
    now: number,
  ): Promise<ChannelTokenRecord | undefined>;
  deleteExpired(now: number): Promise<number>;
}

export interface Storage {
  readonly accessKeys: AccessKeyRepository;
  readonly activations: ActivationRepository;
  readonly instances: InstanceRepository;
  readonly sessions: SessionRepository;
  readonly channelTokens: ChannelTokenRepository;
  readonly iam: IamStorage;
  /** The schema version the database is at after migrations. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
