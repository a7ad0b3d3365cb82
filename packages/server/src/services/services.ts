// The service layer the API operations call. Built once by the composition root (app.ts).

import type { ActivationService } from './activation-service.js';
import type { CommandService } from './command-service.js';
import type { ConnectionRegistry } from './connection-registry.js';
import { isReservedDocumentName } from '../documents/document-names.js';
import type { DocumentService } from './document-service.js';
import type { IamService } from './iam/iam-service.js';
import type { InstanceService } from './instance-service.js';
import type { SessionService } from './session-service.js';
import type { LogService } from './log-service.js';
import type { RecordingService } from './recording-service.js';
import type { AuditFilter } from '../storage/log-repositories.js';
import type { AuditRow } from '../storage/log-records.js';
import type { Page, PageRequest } from '../storage/records.js';

/** The audit trail as the API reads it: lookups, the chain in order, the digest key. */
export interface AuditReader {
  /** Waits until records of calls already answered are stored. */
  flush(): Promise<void>;
  lookup(filter: AuditFilter, page: PageRequest): Promise<Page<AuditRow>>;
  scan(fromSeq: number, limit: number): Promise<readonly AuditRow[]>;
  head(): Promise<AuditRow | undefined>;
  readonly publicKeyPem: string;
  readonly keyFingerprint: string;
}

export interface ServerIdentity {
  readonly region: string;
  /** 12 digits, used in ARNs. */
  readonly accountId: string;
  /** `arn:<partition>:…`; OpenSSM's own partition name (AWS's `aws` is accepted in policies). */
  readonly partition: string;
}

export interface Services {
  readonly identity: ServerIdentity;
  readonly activations: ActivationService;
  readonly instances: InstanceService;
  readonly connections: ConnectionRegistry;
  readonly sessions: SessionService;
  readonly iam: IamService;
  readonly documents: DocumentService;
  readonly logs: LogService;
  readonly recordings: RecordingService;
  readonly audit: AuditReader;
  readonly commands: CommandService;
  /** When an unseen node counts as Inactive (0: never), and the agent version served, issue 9. */
  readonly nodeLifecycle: {
    readonly inactiveAfterMs: number;
    /** The newest agent bundle's version (`0.1.0`), or undefined when none is served. */
    latestAgentVersion(): Promise<string | undefined>;
  };
}

/** `arn:…:logs:<region>:<account>:log-group:<name>`, as IAM policies name log groups. */
export function logGroupArn(identity: ServerIdentity, name: string): string {
  return `arn:${identity.partition}:logs:${identity.region}:${identity.accountId}:log-group:${name}`;
}

export function logStreamArn(identity: ServerIdentity, group: string, stream: string): string {
  return `${logGroupArn(identity, group)}:log-stream:${stream}`;
}

export function instanceArn(identity: ServerIdentity, instanceId: string): string {
  return `arn:${identity.partition}:ssm:${identity.region}:${identity.accountId}:managed-instance/${instanceId}`;
}

export function activationArn(identity: ServerIdentity, activationId: string): string {
  return `arn:${identity.partition}:ssm:${identity.region}:${identity.accountId}:activation/${activationId}`;
}

export function sessionArn(identity: ServerIdentity, sessionId: string): string {
  return `arn:${identity.partition}:ssm:${identity.region}:${identity.accountId}:session/${sessionId}`;
}

/**
 * Amazon's documents have ARNs without an account, as on AWS
 * (`arn:aws:ssm:<region>::document/AWS-RunShellScript`); the account's own documents carry it.
 */
export function documentArn(identity: ServerIdentity, name: string): string {
  const account = isReservedDocumentName(name) ? '' : identity.accountId;
  return `arn:${identity.partition}:ssm:${identity.region}:${account}:document/${name}`;
}
