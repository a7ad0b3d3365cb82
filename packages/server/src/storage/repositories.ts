// Repository interfaces the services use; drivers (sqlite/, later postgres/) implement them and
// one compliance suite tests every driver. All methods are async so a networked driver fits.
// Writes resolve only once durable: callers acknowledge to clients after the promise settles.

import type { CommandRepository } from './command-repositories.js';
import type { IamStorage } from './iam-repositories.js';
import type { AuditRepository, LogRepository, RecordingRepository } from './log-repositories.js';
import type {
  AccessKeyLastUsed,
  AccessKeyRecord,
  ActivationRecord,
  ChannelTokenRecord,
  DocumentRecord,
  DocumentSummary,
  DocumentVersionRecord,
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
  /**
   * PingStatus, decided before paging: Online (in connectedIds), ConnectionLost (not connected,
   * last seen — last ping, else registration — at or after inactiveSince) and Inactive (not
   * connected, last seen before it). Only the statuses listed match.
   */
  readonly pingStatus?: {
    readonly connectedIds: readonly string[];
    readonly inactiveSince: number;
    readonly online: boolean;
    readonly connectionLost: boolean;
    readonly inactive: boolean;
  };
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

export interface DocumentFilter {
  /** Owners to include (`Amazon`, account ids); all when left out. */
  readonly owners?: readonly string[];
  readonly documentTypes?: readonly string[];
  /** The name starts with one of these. */
  readonly namePrefixes?: readonly string[];
  /** The name contains one of these, ignoring ASCII case. */
  readonly keywords?: readonly string[];
  /** The default version runs on one of these platforms. */
  readonly platformTypes?: readonly string[];
  readonly targetTypes?: readonly string[];
  /** Every entry must match: a tag with this key and one of the values (any value when empty). */
  readonly tags?: readonly { readonly key: string; readonly values: readonly string[] }[];
}

/** A new version's fields; the repository assigns its number. */
export type NewDocumentVersion = Omit<DocumentVersionRecord, 'documentVersion'>;

export interface DocumentRepository {
  /**
   * Stores a new document with `first` as version 1, its default and latest. False (nothing
   * stored) when the name is taken.
   */
  create(
    document: Omit<DocumentRecord, 'defaultVersion' | 'latestVersion' | 'lastIssuedVersion'>,
    first: NewDocumentVersion,
  ): Promise<boolean>;
  get(name: string): Promise<DocumentRecord | undefined>;
  getVersion(name: string, documentVersion: number): Promise<DocumentVersionRecord | undefined>;
  findVersionByName(name: string, versionName: string): Promise<DocumentVersionRecord | undefined>;
  /** Some version of the document whose content has this hash, if any. */
  findVersionByHash(name: string, contentHash: string): Promise<DocumentVersionRecord | undefined>;
  /**
   * Adds a version numbered one above the highest ever issued, atomically and only while the
   * document's latest version is `expectedLatest` (two racing updates cannot both win).
   * Returns the stored version, or undefined (document gone, or another update came first).
   * Rejects when `versionName` is already used by the document.
   */
  addVersion(
    version: NewDocumentVersion,
    expectedLatest: number,
  ): Promise<DocumentVersionRecord | undefined>;
  /** Undefined when the document or that version does not exist. */
  setDefaultVersion(name: string, documentVersion: number): Promise<DocumentRecord | undefined>;
  /** Versions in ascending order. */
  listVersions(name: string, page: PageRequest): Promise<Page<DocumentVersionRecord>>;
  /**
   * Deletes one version unless it is the default (a document always keeps its default);
   * the latest version becomes the highest remaining. False when nothing was deleted.
   */
  deleteVersion(name: string, documentVersion: number): Promise<boolean>;
  /** Deletes the document with every version and tag; false when it did not exist. */
  delete(name: string): Promise<boolean>;
  /** By name in byte order (PostgreSQL: COLLATE "C"), each with its default version. */
  list(filter: DocumentFilter, page: PageRequest): Promise<Page<DocumentSummary>>;
  /** How many documents `owner` has. */
  count(owner: string): Promise<number>;
  /** Adds or replaces tags by key; false when the document does not exist. */
  addTags(name: string, tags: readonly Tag[]): Promise<boolean>;
  removeTags(name: string, keys: readonly string[]): Promise<boolean>;
}

export interface Storage {
  readonly accessKeys: AccessKeyRepository;
  readonly activations: ActivationRepository;
  readonly instances: InstanceRepository;
  readonly sessions: SessionRepository;
  readonly channelTokens: ChannelTokenRepository;
  readonly iam: IamStorage;
  readonly documents: DocumentRepository;
  readonly logs: LogRepository;
  readonly recordings: RecordingRepository;
  readonly audit: AuditRepository;
  readonly commands: CommandRepository;
  /** The schema version the database is at after migrations. */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}
