// Builds CloudTrail-format records (eventVersion 1.08 fields) from what the server knows of an
// API call or of something it did itself, and the lookup columns stored beside each record.

import { randomUUID } from 'node:crypto';
import type { NewAuditRow } from '../storage/log-records.js';
import type { Principal } from '../storage/records.js';
import type { ServerIdentity } from '../services/services.js';
import { AUDIT_EVENTS, type AuditEventName } from './audit-events.js';
import type { AuditEvent } from './audit-sink.js';
import { redact } from './redact.js';

export const CLOUDTRAIL_EVENT_VERSION = '1.08';

/** Errors that mean the caller was not let in or not allowed: ApiCallDenied. */
const DENIALS: ReadonlySet<string> = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationTokenException',
  'MissingAuthenticationToken',
  'ExpiredTokenException',
  'ExpiredToken',
  'SignatureDoesNotMatch',
  'InvalidClientTokenId',
]);

/** Operations that only read, as CloudTrail's readOnly flag (by AWS's naming convention). */
export function isReadOnlyOperation(eventName: string): boolean {
  return /^(Describe|Get|List|Lookup|Filter|Simulate|Export)/.test(eventName);
}

export function userIdentity(
  principal: Principal | undefined,
  identity: ServerIdentity,
  accessKeyId: string | undefined,
): Record<string, unknown> {
  const key = accessKeyId === undefined ? {} : { accessKeyId };
  if (principal === undefined) return { type: 'Unknown', accountId: identity.accountId, ...key };
  switch (principal.kind) {
    case 'user':
      return {
        type: 'IAMUser',
        principalId: principal.id,
        arn: principal.arn,
        accountId: identity.accountId,
        ...key,
        userName: principal.name,
      };
    case 'assumed-role':
    case 'node':
      return {
        type: 'AssumedRole',
        principalId: principal.id,
        arn: principal.arn,
        accountId: identity.accountId,
        ...key,
        userName: principal.name,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            arn: `arn:${identity.partition}:iam::${identity.accountId}:role/${principal.roleName ?? ''}`,
            accountId: identity.accountId,
            userName: principal.roleName ?? '',
          },
        },
      };
  }
}

/** The resource ARN and its last path element (the id people search for). */
export function resourceNames(arn: string | undefined): string[] {
  if (arn === undefined || arn === '' || arn === '*') return [];
  const tail = arn.slice(arn.lastIndexOf('/') + 1);
  return tail !== '' && tail !== arn && tail !== '*' ? [arn, tail] : [arn];
}

export function apiCallRow(event: AuditEvent, identity: ServerIdentity): NewAuditRow {
  const name: AuditEventName =
    event.errorCode === undefined
      ? 'ApiCall'
      : DENIALS.has(event.errorCode)
        ? 'ApiCallDenied'
        : 'ApiCallFailed';
  const eventId = randomUUID();
  const readOnly = isReadOnlyOperation(event.eventName);
  const names = resourceNames(event.resource);
  const record = {
    eventVersion: CLOUDTRAIL_EVENT_VERSION,
    userIdentity: userIdentity(event.principal, identity, event.accessKeyId),
    eventTime: new Date(event.time).toISOString(),
    eventSource: event.eventSource,
    eventName: event.eventName,
    awsRegion: identity.region,
    sourceIPAddress: event.sourceIp,
    userAgent: event.userAgent ?? '',
    ...(event.errorCode === undefined
      ? {}
      : { errorCode: event.errorCode, errorMessage: event.errorMessage ?? '' }),
    requestParameters: redact(event.requestParameters) ?? null,
    responseElements:
      readOnly || event.errorCode !== undefined ? null : (redact(event.responseElements) ?? null),
    requestID: event.requestId,
    eventID: eventId,
    readOnly,
    ...(names.length === 0
      ? {}
      : { resources: [{ ARN: names[0], accountId: identity.accountId }] }),
    eventType: AUDIT_EVENTS[name].eventType,
    managementEvent: true,
    recipientAccountId: identity.accountId,
    eventCategory: 'Management',
    additionalEventData: { code: AUDIT_EVENTS[name].code },
  };
  return {
    eventId,
    eventTime: event.time,
    eventName: event.eventName,
    eventSource: event.eventSource,
    username: event.principal?.name ?? '',
    accessKeyId: event.accessKeyId ?? '',
    readOnly,
    resourceNames: names,
    record: JSON.stringify(record),
  };
}

/** Something the server itself did or observed (a session closed for idleness, a digest …). */
export interface ServiceEvent {
  readonly name: Exclude<AuditEventName, 'ApiCall' | 'ApiCallDenied' | 'ApiCallFailed'>;
  readonly time: number;
  /** Whose session or resource it concerns (their ARN and name, for lookups by user). */
  readonly owner?: { readonly arn: string; readonly name: string };
  /** ARNs the event concerns (a session, a node). */
  readonly resources?: readonly string[];
  /** What happened, for `serviceEventDetails`; must hold no secrets. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Extra fields for `additionalEventData` beside the code (the digest). */
  readonly additional?: Readonly<Record<string, unknown>>;
  /** Set when a person's request caused it (console sign-in …): where it came from. */
  readonly caller?: { readonly sourceIp: string; readonly userAgent: string | undefined };
}

/** Most characters of a User-Agent kept, as for API calls. */
const MAX_USER_AGENT = 512;

export function serviceEventRow(event: ServiceEvent, identity: ServerIdentity): NewAuditRow {
  const spec = AUDIT_EVENTS[event.name];
  const eventId = randomUUID();
  const names = (event.resources ?? []).flatMap((arn) => resourceNames(arn));
  const record = {
    eventVersion: CLOUDTRAIL_EVENT_VERSION,
    userIdentity: {
      type: 'AWSService',
      invokedBy: spec.eventSource,
      ...(event.owner === undefined ? {} : { arn: event.owner.arn, userName: event.owner.name }),
    },
    eventTime: new Date(event.time).toISOString(),
    eventSource: spec.eventSource,
    eventName: event.name,
    awsRegion: identity.region,
    // CloudTrail's convention: the service's own events name the service as their source.
    sourceIPAddress: event.caller?.sourceIp ?? spec.eventSource,
    userAgent: event.caller?.userAgent?.slice(0, MAX_USER_AGENT) ?? spec.eventSource,
    requestParameters: null,
    responseElements: null,
    eventID: eventId,
    readOnly: false,
    ...(event.resources === undefined || event.resources.length === 0
      ? {}
      : { resources: event.resources.map((arn) => ({ ARN: arn, accountId: identity.accountId })) }),
    eventType: spec.eventType,
    managementEvent: true,
    recipientAccountId: identity.accountId,
    eventCategory: 'Management',
    serviceEventDetails: redact(event.details) ?? {},
    additionalEventData: { code: spec.code, ...event.additional },
  };
  return {
    eventId,
    eventTime: event.time,
    eventName: event.name,
    eventSource: spec.eventSource,
    username: event.owner?.name ?? '',
    accessKeyId: '',
    readOnly: false,
    resourceNames: [...new Set(names)],
    record: JSON.stringify(record),
  };
}
