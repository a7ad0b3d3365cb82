// The one registry of audit event codes (docs/audit-events.md is generated from it and a test
// fails when they drift). Every record the trail writes carries one in
// `additionalEventData.code`: a stable identifier SIEM rules can match on, whatever AWS later
// calls its events. The letter at the end is the severity: I info, W warning, E error.

export interface AuditEventSpec {
  readonly code: string;
  /** CloudTrail's eventType: AwsApiCall for API calls, AwsServiceEvent for what the server did. */
  readonly eventType: 'AwsApiCall' | 'AwsServiceEvent';
  /** The eventSource of service events (API calls carry their service's). */
  readonly eventSource?: string;
  readonly summary: string;
}

export const AUDIT_EVENTS = {
  ApiCall: {
    code: 'OS1000I',
    eventType: 'AwsApiCall',
    summary:
      'An API call that succeeded; eventName is the operation (StartSession, CreateUser, GetLogEvents …).',
  },
  ApiCallDenied: {
    code: 'OS1001W',
    eventType: 'AwsApiCall',
    summary:
      'An API call refused by authentication or by the policy engine (errorCode AccessDeniedException, AccessDenied, InvalidSignatureException …).',
  },
  ApiCallFailed: {
    code: 'OS1002E',
    eventType: 'AwsApiCall',
    summary: 'An API call that failed for another reason; errorCode is the AWS error code.',
  },
  SessionStart: {
    code: 'OS2000I',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary: 'A session was opened on a node (after StartSession), with its preferences.',
  },
  SessionConnect: {
    code: 'OS2001I',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary: 'Client and node are both on the data channel (again, after a resume).',
  },
  SessionDisconnect: {
    code: 'OS2002I',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary: 'The client left the data channel; the node is paused until it resumes.',
  },
  SessionEnd: {
    code: 'OS2003I',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary: 'The session ended (Terminated or Failed), with the reason and its duration.',
  },
  SessionIdleTimeout: {
    code: 'OS2004W',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary: 'The server closed a session that had no input and no output for idleSessionTimeout.',
  },
  SessionMaxDurationReached: {
    code: 'OS2005W',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary: 'The server closed a session that reached maxSessionDuration.',
  },
  PortConnection: {
    code: 'OS2006I',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary:
      'One connection of a port session closed: destination host and port, the client address, status, bytes each way and duration.',
  },

  SessionLogWriteFailed: {
    code: 'OS3001E',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary:
      'Writing a session recording, transcript or log stream failed; the server keeps the data and retries.',
  },
  SessionLogWriteRecovered: {
    code: 'OS3002I',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary: 'A failing session log write succeeded again; nothing held back was lost.',
  },
  SessionClosedOnLogFailure: {
    code: 'OS3003W',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssmmessages.amazonaws.com',
    summary:
      'The session was closed because its logs could not be written and its preferences say fail closed.',
  },
  RecordingDeleted: {
    code: 'OS3004I',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssm.amazonaws.com',
    summary:
      'A session recording was deleted by the retention policy (--recording-retention-days).',
  },
  ConsoleSignIn: {
    code: 'OS5000I',
    eventType: 'AwsServiceEvent',
    eventSource: 'signin.amazonaws.com',
    summary: 'A user signed in to the web console (with or without an MFA code).',
  },
  ConsoleSignInFailed: {
    code: 'OS5001W',
    eventType: 'AwsServiceEvent',
    eventSource: 'signin.amazonaws.com',
    summary:
      'A console sign-in was refused: unknown user, wrong password or MFA code, or too many failures (the reason is in the details, never the password).',
  },
  ConsoleSignOut: {
    code: 'OS5002I',
    eventType: 'AwsServiceEvent',
    eventSource: 'signin.amazonaws.com',
    summary: 'A user signed out of the web console.',
  },
  ConsoleMfaEnabled: {
    code: 'OS5003I',
    eventType: 'AwsServiceEvent',
    eventSource: 'signin.amazonaws.com',
    summary: 'A user enabled a TOTP device for console sign-in (with a first correct code).',
  },
  ConsoleMfaDisabled: {
    code: 'OS5004W',
    eventType: 'AwsServiceEvent',
    eventSource: 'signin.amazonaws.com',
    summary: 'A user removed their console TOTP device (with a current code).',
  },
  ConsolePasswordChanged: {
    code: 'OS5005I',
    eventType: 'AwsServiceEvent',
    eventSource: 'signin.amazonaws.com',
    summary:
      'A user chose a new console password at sign-in because their login profile required a reset.',
  },
  NodeAutoDeregistered: {
    code: 'OS3005W',
    eventType: 'AwsServiceEvent',
    eventSource: 'ssm.amazonaws.com',
    summary:
      'A managed node unseen for longer than --node-deregister-after was deregistered by the sweep (credentials revoked).',
  },
  AuditDigest: {
    code: 'OS4000I',
    eventType: 'AwsServiceEvent',
    eventSource: 'cloudtrail.amazonaws.com',
    summary:
      'A signed digest of the trail: the hash of every record up to it, signed with the server key.',
  },
} as const satisfies Record<string, AuditEventSpec>;

export type AuditEventName = keyof typeof AUDIT_EVENTS;

/** docs/audit-events.md's table of codes. */
export function renderAuditEventTable(): string {
  const rows = (Object.keys(AUDIT_EVENTS) as AuditEventName[]).map((name) => {
    const spec: AuditEventSpec = AUDIT_EVENTS[name];
    const eventName = spec.eventType === 'AwsApiCall' ? '_the operation_' : `\`${name}\``;
    return `| \`${spec.code}\` | ${eventName} | ${spec.eventType} | ${spec.eventSource ?? '_the service’s_'} | ${spec.summary} |`;
  });
  return [
    '| Code | eventName | eventType | eventSource | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
