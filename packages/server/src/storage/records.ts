// The server's persistent records, as the services see them: plain data, times in epoch
// milliseconds, no driver types. Secrets never appear in clear here except where a caller must
// be handed them once (see each field).

/**
 * Who a request acts as: an IAM user, a session of an assumed role, or a managed node (which
 * acts as the role named in its activation).
 */
export interface Principal {
  readonly kind: 'user' | 'assumed-role' | 'node';
  /** The user id (`AIDA…`), `<role id>:<session name>`, or the managed instance id (`mi-…`). */
  readonly id: string;
  /** The user name, the role session name, or the instance id: what session ids start with. */
  readonly name: string;
  /** `…:user/<path><name>`, `…:sts::<account>:assumed-role/<role>/<session>`, or the node's. */
  readonly arn: string;
  /** The role whose policies apply (assumed-role sessions and nodes). */
  readonly roleName?: string;
}

export interface AccessKeyRecord {
  readonly accessKeyId: string;
  /**
   * The secret, sealed with the data directory's key (services/secret-box.ts): SigV4 is an HMAC,
   * so the server must be able to recover it, but never from the database alone.
   */
  readonly sealedSecret: string;
  /** Only for temporary credentials: SHA-256 (hex) of the token the caller must present. */
  readonly sessionTokenHash: string | null;
  readonly principal: Principal;
  readonly createdAt: number;
  /** Null for long-term keys. */
  readonly expiresAt: number | null;
  readonly active: boolean;
  /** AWS's GetAccessKeyLastUsed details; null until first used. */
  readonly lastUsed: AccessKeyLastUsed | null;
  /** Temporary credentials issued against a TOTP code (GetSessionToken); absent otherwise. */
  readonly multiFactor?: true;
}

export interface AccessKeyLastUsed {
  readonly at: number;
  readonly service: string;
  readonly region: string;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface ActivationRecord {
  /** UUID. */
  readonly activationId: string;
  /** SHA-256 (hex) of the activation code; the code itself is shown once at creation. */
  readonly activationCodeHash: string;
  readonly description: string;
  readonly defaultInstanceName: string;
  readonly iamRole: string;
  readonly registrationLimit: number;
  readonly registrationsCount: number;
  readonly expiresAt: number;
  readonly createdAt: number;
  readonly tags: readonly Tag[];
}

export type PlatformType = 'Linux' | 'Windows' | 'MacOS';

export interface ManagedInstanceRecord {
  /** `mi-` + 17 hex characters. */
  readonly instanceId: string;
  readonly activationId: string;
  readonly name: string;
  readonly iamRole: string;
  /** base64 DER SubjectPublicKeyInfo of the node's RSA key (what the agent sends). */
  readonly publicKey: string;
  readonly publicKeyType: 'Rsa';
  /** The agent's stable fingerprint (a UUID it generated), checked on credential requests. */
  readonly fingerprint: string;
  readonly registeredAt: number;
  /** Set by UpdateInstanceInformation; empty until the first heartbeat. */
  readonly platformType: PlatformType | null;
  readonly platformName: string;
  readonly platformVersion: string;
  readonly agentVersion: string;
  readonly ipAddress: string;
  readonly computerName: string;
  /** Last heartbeat or control-channel activity. */
  readonly lastPingAt: number | null;
  readonly deregisteredAt: number | null;
  readonly tags: readonly Tag[];
}

export type InstanceInformationUpdate = Pick<
  ManagedInstanceRecord,
  | 'platformType'
  | 'platformName'
  | 'platformVersion'
  | 'agentVersion'
  | 'ipAddress'
  | 'computerName'
>;

/** DescribeSessions statuses (ssm-wire §2.3). */
export type SessionStatus =
  'Connecting' | 'Connected' | 'Disconnected' | 'Terminating' | 'Terminated' | 'Failed';

export const ACTIVE_SESSION_STATUSES: readonly SessionStatus[] = [
  'Connecting',
  'Connected',
  'Disconnected',
  'Terminating',
];

export interface SessionRecord {
  readonly sessionId: string;
  readonly target: string;
  readonly documentName: string;
  /** The caller's ARN. */
  readonly owner: string;
  readonly reason: string;
  readonly status: SessionStatus;
  readonly details: string;
  /** Session parameters as given to StartSession (values are lists of strings on the API). */
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly startedAt: number;
  readonly endedAt: number | null;
}

/** The document types OpenSSM stores and runs (AWS has more). */
export type DocumentType = 'Command' | 'Session';
export type DocumentFormat = 'JSON' | 'YAML' | 'TEXT';

/** One SSM document (its versions are DocumentVersionRecords). */
export interface DocumentRecord {
  /** `^[a-zA-Z0-9_\-.]{3,128}$`, unique. */
  readonly name: string;
  /** `Amazon` for built-ins, otherwise the owning account's id. */
  readonly owner: string;
  readonly documentType: DocumentType;
  readonly defaultVersion: number;
  /** The highest version that exists. */
  readonly latestVersion: number;
  /** The highest version number ever issued: a deleted version's number is never reused. */
  readonly lastIssuedVersion: number;
  readonly createdAt: number;
  readonly tags: readonly Tag[];
}

/** One version of a document: its content exactly as given, and what its schema declares. */
export interface DocumentVersionRecord {
  readonly name: string;
  /** 1, 2, … */
  readonly documentVersion: number;
  /** Unique among the document's versions when set. */
  readonly versionName: string | null;
  readonly displayName: string;
  readonly targetType: string;
  readonly content: string;
  readonly documentFormat: DocumentFormat;
  /** SHA-256 of the content's UTF-8 bytes, hex. */
  readonly contentHash: string;
  readonly schemaVersion: string;
  readonly description: string;
  readonly platformTypes: readonly PlatformType[];
  readonly createdAt: number;
}

/** A listed document with its default version (what ListDocuments reports). */
export interface DocumentSummary {
  readonly document: DocumentRecord;
  readonly version: DocumentVersionRecord;
}

/** What a channel token lets its holder open (single use, bound to one channel). */
export type ChannelTokenKind = 'client-data' | 'agent-data' | 'agent-control';

export interface ChannelTokenRecord {
  /** SHA-256 (hex) of the token; the token is handed out once and never stored. */
  readonly tokenHash: string;
  readonly kind: ChannelTokenKind;
  /** The session id (data channels) or instance id (control channel) it is bound to. */
  readonly channelId: string;
  readonly expiresAt: number;
  readonly usedAt: number | null;
}

/** One page of a listing, and the cursor for the next page (absent on the last). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string;
}

export interface PageRequest {
  readonly limit: number;
  readonly cursor?: string;
}
