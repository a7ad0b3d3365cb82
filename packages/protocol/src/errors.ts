// The one registry of operational error codes. Every code maps to the HTTP status and AWS
// `__type` it has on the API and to the WebSocket close code used when it ends a connection.
// docs/errors.md is generated from this table and a test fails when the two drift apart.

export interface ErrorSpec {
  /** HTTP status when the error leaves the API. */
  readonly httpStatus: number;
  /** The `__type` of the AWS error body (the code a botocore/SDK client sees). */
  readonly awsType: string;
  /** WebSocket close code when the error ends a socket; null when it never does. */
  readonly wsCloseCode: number | null;
  /** What it means, for docs/errors.md. */
  readonly summary: string;
}

// WebSocket close codes: RFC 6455 §7.4.1 where one fits (1002 protocol error, 1007 invalid
// payload data, 1008 policy violation, 1009 message too big, 1011 internal error); the 4000-4999
// private range for OpenSSM's own reasons.
export const ERROR_CODES = {
  // --- Wire decoding (AgentMessage framing). A bad frame closes that connection only. ---
  FrameTruncated: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'A binary message is shorter than its header says.',
  },
  FrameHeaderInvalid: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'HeaderLength is zero, smaller than the fixed header, or points past the message.',
  },
  FrameFieldOutOfRange: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'A numeric header field is outside the range OpenSSM accepts.',
  },
  FrameMessageTypeInvalid: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'MessageType is empty, not printable ASCII, or longer than 32 bytes.',
  },
  FrameCreatedDateMissing: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'CreatedDate is zero (both AWS endpoints reject such a message).',
  },
  FramePayloadTooLarge: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1009,
    summary: 'PayloadLength exceeds the configured maximum; nothing was allocated for it.',
  },
  FramePayloadLengthMismatch: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'PayloadLength disagrees with the number of bytes after the header.',
  },
  FrameDigestMismatch: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'PayloadDigest is not the SHA-256 of the payload.',
  },
  // --- Payloads carried inside messages. ---
  PayloadInvalid: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1007,
    summary: 'A payload is not the JSON or binary shape its message or payload type requires.',
  },
  PayloadTooLarge: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1009,
    summary: 'A payload to be sent exceeds the maximum the channel negotiated.',
  },
  // --- smux v1 framing inside port sessions. ---
  SmuxVersionUnsupported: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'An smux frame carries a version other than 1.',
  },
  SmuxCommandUnknown: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'An smux frame carries a command other than SYN, FIN, PSH or NOP.',
  },
  SmuxFrameInvalid: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1002,
    summary: 'An smux SYN, FIN or NOP frame carries data (xtaci/smux would misread what follows).',
  },
  SmuxFrameTooLarge: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1009,
    summary: 'An smux frame is longer than the configured maximum frame size.',
  },
  StreamDestinationInvalid: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: null,
    summary:
      'A multi-port forwarding stream does not start with a valid destination (version, host, port).',
  },
  // --- Data-channel engine. ---
  HandshakeFailed: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 4400,
    summary: 'The peer answered the session handshake with a failure or an unusable answer.',
  },
  HandshakeTimedOut: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 4408,
    summary: 'The peer did not complete the session handshake in time.',
  },
  ResendLimitExceeded: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 4410,
    summary: 'A message was resent the maximum number of times without an acknowledgement.',
  },
  ChannelClosed: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: 1000,
    summary: 'The data channel is closed; nothing more can be sent on it.',
  },
  // --- Authentication (generic AWS codes; botocore and the SDKs handle them by name). ---
  MissingAuthenticationToken: {
    httpStatus: 400,
    awsType: 'MissingAuthenticationTokenException',
    wsCloseCode: 4401,
    summary: 'The request carries no signature or token.',
  },
  IncompleteSignature: {
    httpStatus: 400,
    awsType: 'IncompleteSignatureException',
    wsCloseCode: 4401,
    summary: 'The Authorization header or its credential scope is malformed.',
  },
  SignatureExpired: {
    httpStatus: 400,
    awsType: 'InvalidSignatureException',
    wsCloseCode: 4401,
    summary: 'The request time is more than 15 minutes away from the server clock.',
  },
  WrongSigningRegion: {
    httpStatus: 400,
    awsType: 'InvalidSignatureException',
    wsCloseCode: 4401,
    summary: 'The request was signed for a region or service this endpoint does not serve.',
  },
  ExpiredTokenException: {
    httpStatus: 400,
    awsType: 'ExpiredTokenException',
    wsCloseCode: 4401,
    summary: 'The temporary credentials have expired.',
  },
  UnknownOperationException: {
    httpStatus: 400,
    awsType: 'UnknownOperationException',
    wsCloseCode: null,
    summary: 'The X-Amz-Target or Action names no operation this endpoint serves.',
  },
  SerializationException: {
    httpStatus: 400,
    awsType: 'SerializationException',
    wsCloseCode: null,
    summary: 'The request body is not the JSON object the operation expects.',
  },
  ChannelTokenInvalid: {
    httpStatus: 400,
    awsType: 'AccessDeniedException',
    wsCloseCode: 4401,
    summary: 'A channel token is unknown, expired, already used or bound to another channel.',
  },
  // --- SSM API (AWS codes, ssm-wire §2.2). ---
  InvalidActivation: {
    httpStatus: 400,
    awsType: 'InvalidActivation',
    wsCloseCode: null,
    summary: 'The activation is expired, deleted or has reached its registration limit.',
  },
  InvalidActivationId: {
    httpStatus: 400,
    awsType: 'InvalidActivationId',
    wsCloseCode: null,
    summary: 'The activation id is not one this server issued.',
  },
  InvalidFilterKey: {
    httpStatus: 400,
    awsType: 'InvalidFilterKey',
    wsCloseCode: null,
    summary: 'A filter key is not one the operation supports.',
  },
  InvalidInstanceInformationFilterValue: {
    httpStatus: 400,
    awsType: 'InvalidInstanceInformationFilterValue',
    wsCloseCode: null,
    summary: 'A DescribeInstanceInformation filter value is not valid.',
  },
  InvalidResourceId: {
    httpStatus: 400,
    awsType: 'InvalidResourceId',
    wsCloseCode: null,
    summary: 'The resource id does not name an existing resource of the given type.',
  },
  InvalidResourceType: {
    httpStatus: 400,
    awsType: 'InvalidResourceType',
    wsCloseCode: null,
    summary: 'The resource type is not one that supports this operation.',
  },
  TooManyTagsError: {
    httpStatus: 400,
    awsType: 'TooManyTagsError',
    wsCloseCode: null,
    summary: 'The resource would have more tags than allowed.',
  },
  InvalidKeyId: {
    httpStatus: 400,
    awsType: 'InvalidKeyId',
    wsCloseCode: null,
    summary: 'The managed instance key or fingerprint does not match the registration.',
  },
  InvalidInstanceId: {
    httpStatus: 400,
    awsType: 'InvalidInstanceId',
    wsCloseCode: null,
    summary: 'The node is unknown, not managed, or not in a valid state.',
  },
  TargetNotConnected: {
    httpStatus: 400,
    awsType: 'TargetNotConnected',
    wsCloseCode: null,
    summary: 'The target node has no live control channel.',
  },
  InvalidDocument: {
    httpStatus: 400,
    awsType: 'InvalidDocument',
    wsCloseCode: null,
    summary: 'The document does not exist or is not valid for this use.',
  },
  InvalidParameters: {
    httpStatus: 400,
    awsType: 'InvalidParameters',
    wsCloseCode: null,
    summary: 'A parameter is missing, unknown or fails its document definition.',
  },
  // --- Run Command (docs/run-command.md). Several have no message on AWS (ssm-wire §2.2). ---
  InvalidCommandId: {
    httpStatus: 400,
    awsType: 'InvalidCommandId',
    wsCloseCode: null,
    summary: 'The command id is not one this server issued.',
  },
  InvocationDoesNotExist: {
    httpStatus: 400,
    awsType: 'InvocationDoesNotExist',
    wsCloseCode: null,
    summary: 'The command was not sent to that node (or the command does not exist).',
  },
  InvalidPluginName: {
    httpStatus: 400,
    awsType: 'InvalidPluginName',
    wsCloseCode: null,
    summary: 'The plugin (step) name is not one of the command document’s, or one is required.',
  },
  DuplicateInstanceId: {
    httpStatus: 400,
    awsType: 'DuplicateInstanceId',
    wsCloseCode: null,
    summary: 'The same node id is given more than once.',
  },
  InvalidOutputFolder: {
    httpStatus: 400,
    awsType: 'InvalidOutputFolder',
    wsCloseCode: null,
    summary: 'The output bucket name or key prefix cannot be used by the object store.',
  },
  InvalidNotificationConfig: {
    httpStatus: 400,
    awsType: 'InvalidNotificationConfig',
    wsCloseCode: null,
    summary: 'The notification configuration is not valid.',
  },
  OutputNotAvailable: {
    httpStatus: 404,
    awsType: 'OutputNotAvailable',
    wsCloseCode: null,
    summary: 'A step’s full output has not been received (yet): StandardOutputUrl answers 404.',
  },
  InvalidRole: {
    httpStatus: 400,
    awsType: 'InvalidRole',
    wsCloseCode: null,
    summary: 'The service role ARN is not a valid IAM role ARN.',
  },
  // --- SSM documents (docs/documents.md). ---
  InvalidDocumentContent: {
    httpStatus: 400,
    awsType: 'InvalidDocumentContent',
    wsCloseCode: null,
    summary: 'The document content is not valid JSON/YAML or breaks its schema.',
  },
  InvalidDocumentSchemaVersion: {
    httpStatus: 400,
    awsType: 'InvalidDocumentSchemaVersion',
    wsCloseCode: null,
    summary: 'The document’s schemaVersion is not one supported for its document type.',
  },
  InvalidDocumentType: {
    httpStatus: 400,
    awsType: 'InvalidDocumentType',
    wsCloseCode: null,
    summary: 'The document type is one AWS knows but OpenSSM does not run (only Command, Session).',
  },
  InvalidDocumentVersion: {
    httpStatus: 400,
    awsType: 'InvalidDocumentVersion',
    wsCloseCode: null,
    summary: 'The document version or version name does not exist or cannot be used here.',
  },
  InvalidDocumentOperation: {
    httpStatus: 400,
    awsType: 'InvalidDocumentOperation',
    wsCloseCode: null,
    summary: 'The operation is not allowed on this document (e.g. changing an Amazon-owned one).',
  },
  DocumentAlreadyExists: {
    httpStatus: 400,
    awsType: 'DocumentAlreadyExists',
    wsCloseCode: null,
    summary: 'A document with this name already exists.',
  },
  DuplicateDocumentContent: {
    httpStatus: 400,
    awsType: 'DuplicateDocumentContent',
    wsCloseCode: null,
    summary: 'An update’s content is identical to a version the document already has.',
  },
  DuplicateDocumentVersionName: {
    httpStatus: 400,
    awsType: 'DuplicateDocumentVersionName',
    wsCloseCode: null,
    summary: 'The version name is already used by another version of the document.',
  },
  MaxDocumentSizeExceeded: {
    httpStatus: 400,
    awsType: 'MaxDocumentSizeExceeded',
    wsCloseCode: null,
    summary: 'The document content is larger than 64 KB.',
  },
  DocumentLimitExceeded: {
    httpStatus: 400,
    awsType: 'DocumentLimitExceeded',
    wsCloseCode: null,
    summary: 'The account already has the maximum number of documents.',
  },
  DoesNotExistException: {
    httpStatus: 400,
    awsType: 'DoesNotExistException',
    wsCloseCode: 4404,
    summary: 'The named resource (for example a session) does not exist.',
  },
  InvalidNextToken: {
    httpStatus: 400,
    awsType: 'InvalidNextToken',
    wsCloseCode: null,
    summary: 'The pagination token is not one this server issued.',
  },
  ValidationException: {
    httpStatus: 400,
    awsType: 'ValidationException',
    wsCloseCode: null,
    summary: 'The request does not satisfy the operation’s constraints.',
  },
  MalformedPolicyDocument: {
    httpStatus: 400,
    awsType: 'MalformedPolicyDocument',
    wsCloseCode: null,
    summary: 'A policy document is not valid IAM policy JSON; the message says where and why.',
  },
  AccessDeniedException: {
    httpStatus: 400,
    awsType: 'AccessDeniedException',
    wsCloseCode: 4403,
    summary: 'The caller is authenticated but no policy allows the action.',
  },
  UnrecognizedClientException: {
    httpStatus: 400,
    awsType: 'UnrecognizedClientException',
    wsCloseCode: 4401,
    summary: 'The access key or token is unknown, inactive or expired.',
  },
  InvalidSignatureException: {
    httpStatus: 400,
    awsType: 'InvalidSignatureException',
    wsCloseCode: 4401,
    summary: 'The request signature does not match.',
  },
  ThrottlingException: {
    httpStatus: 400,
    awsType: 'ThrottlingException',
    wsCloseCode: 1013,
    summary: 'Too many requests; retry with backoff.',
  },
  ConsoleSignInFailed: {
    httpStatus: 401,
    awsType: 'ConsoleSignInFailed',
    wsCloseCode: null,
    summary:
      'Console sign-in refused: unknown user, wrong password or MFA code (the reply never says which).',
  },
  ConsoleMfaRequired: {
    httpStatus: 401,
    awsType: 'ConsoleMfaRequired',
    wsCloseCode: null,
    summary: 'Console sign-in: the password was right and the user has MFA; send the code too.',
  },
  ConsolePasswordResetRequired: {
    httpStatus: 401,
    awsType: 'ConsolePasswordResetRequired',
    wsCloseCode: null,
    summary:
      'Console sign-in: the password was right but must be replaced; send newPassword as well.',
  },
  // --- IAM and STS (query protocol; the XML error Code is awsType). ---
  NoSuchEntity: {
    httpStatus: 404,
    awsType: 'NoSuchEntity',
    wsCloseCode: null,
    summary: 'The named IAM user, group, role, policy, version or key does not exist.',
  },
  EntityAlreadyExists: {
    httpStatus: 409,
    awsType: 'EntityAlreadyExists',
    wsCloseCode: null,
    summary: 'An IAM entity of that name (compared without regard to case) already exists.',
  },
  DeleteConflict: {
    httpStatus: 409,
    awsType: 'DeleteConflict',
    wsCloseCode: null,
    summary: 'The entity still has what must go first (keys, policies, members, versions).',
  },
  LimitExceeded: {
    httpStatus: 409,
    awsType: 'LimitExceeded',
    wsCloseCode: null,
    summary: 'An IAM quota is reached (for example five versions of a policy, two access keys).',
  },
  InvalidInput: {
    httpStatus: 400,
    awsType: 'InvalidInput',
    wsCloseCode: null,
    summary: 'An IAM parameter has an invalid value.',
  },
  ValidationError: {
    httpStatus: 400,
    awsType: 'ValidationError',
    wsCloseCode: null,
    summary: 'An IAM or STS parameter is missing or fails its length or pattern constraint.',
  },
  UnmodifiableEntity: {
    httpStatus: 400,
    awsType: 'UnmodifiableEntity',
    wsCloseCode: null,
    summary: 'The entity is built in (an AWS managed policy) and cannot be changed.',
  },
  PasswordPolicyViolation: {
    httpStatus: 400,
    awsType: 'PasswordPolicyViolation',
    wsCloseCode: null,
    summary: 'The console password is too weak for the password policy.',
  },
  // --- CloudWatch Logs, CloudTrail and OpenSSM's recording/audit operations. ---
  ResourceNotFoundException: {
    httpStatus: 400,
    awsType: 'ResourceNotFoundException',
    wsCloseCode: null,
    summary: 'The log group, log stream or session recording does not exist.',
  },
  ResourceAlreadyExistsException: {
    httpStatus: 400,
    awsType: 'ResourceAlreadyExistsException',
    wsCloseCode: null,
    summary: 'A log group with that name exists already.',
  },
  InvalidParameterException: {
    httpStatus: 400,
    awsType: 'InvalidParameterException',
    wsCloseCode: null,
    summary:
      'A CloudWatch Logs parameter is invalid (a retention value, a token, conflicting options).',
  },
  InvalidLookupAttributesException: {
    httpStatus: 400,
    awsType: 'InvalidLookupAttributesException',
    wsCloseCode: null,
    summary: 'LookupEvents got more than one lookup attribute, or an unknown key.',
  },
  InvalidTimeRangeException: {
    httpStatus: 400,
    awsType: 'InvalidTimeRangeException',
    wsCloseCode: null,
    summary: "LookupEvents' StartTime is after its EndTime.",
  },
  InvalidMaxResultsException: {
    httpStatus: 400,
    awsType: 'InvalidMaxResultsException',
    wsCloseCode: null,
    summary: "LookupEvents' MaxResults is outside 1–50.",
  },
  InvalidNextTokenException: {
    httpStatus: 400,
    awsType: 'InvalidNextTokenException',
    wsCloseCode: null,
    summary: 'A CloudTrail pagination token this server did not issue.',
  },
  InvalidEventCategoryException: {
    httpStatus: 400,
    awsType: 'InvalidEventCategoryException',
    wsCloseCode: null,
    summary: "LookupEvents' EventCategory is not insight.",
  },
  InternalServerError: {
    httpStatus: 500,
    awsType: 'InternalServerError',
    wsCloseCode: 1011,
    summary: 'An unexpected failure; the details are logged once with the request id.',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An operational error with a stable code from the registry. Programmer mistakes are plain Errors. */
export class CodedError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CodedError';
    this.code = code;
  }

  get spec(): ErrorSpec {
    return ERROR_CODES[this.code];
  }
}

export function isCodedError(value: unknown): value is CodedError {
  return value instanceof CodedError;
}
