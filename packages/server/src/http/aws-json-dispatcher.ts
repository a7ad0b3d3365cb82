// Serves AWS's JSON 1.1 protocol at `POST /` (ssm-wire §2.1–§2.2): finds the operation named by
// X-Amz-Target, authenticates the caller with the operation's scheme, validates the body,
// authorizes, runs it, and answers with AWS's JSON or AWS's error body. Every call is audited.

import { CodedError, type JsonObject } from '@openssm/protocol';
import type { AnyOperation, OperationContext } from '../api/operation.js';
import { recordApiCall, type AuditSink } from '../audit/audit-sink.js';
import type { Authorizer } from '../policy/authorizer.js';
import type { Principal } from '../storage/records.js';
import type { Services } from '../services/services.js';
import { headerValue, type RawRequest, type RawResponse } from './raw-request.js';
import type { AuthenticatedPrincipal, Authenticator } from './request-authenticator.js';

export const AWS_JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export interface Logger {
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface AwsJsonDispatcherOptions {
  /** The X-Amz-Target prefix, e.g. `AmazonSSM`. */
  readonly targetPrefix: string;
  /** The SigV4 service name requests must be signed for, e.g. `ssm`. */
  readonly signingService: string;
  /** Service name for audit records, e.g. `ssm.amazonaws.com`. */
  readonly eventSource: string;
  readonly operations: readonly AnyOperation[];
  readonly services: Services;
  readonly authenticate: Authenticator;
  readonly authorize: Authorizer;
  /** The listener serves TLS (aws:SecureTransport). */
  readonly secureTransport: boolean;
  readonly audit: AuditSink;
  readonly now: () => number;
  readonly log: Logger;
}

export type AwsJsonDispatcher = (request: RawRequest) => Promise<RawResponse>;

export function createAwsJsonDispatcher(options: AwsJsonDispatcherOptions): AwsJsonDispatcher {
  const byName = new Map(options.operations.map((operation) => [operation.name, operation]));

  return async (request) => {
    const now = options.now();
    const target = headerValue(request, 'x-amz-target') ?? '';
    const operation = target.startsWith(`${options.targetPrefix}.`)
      ? byName.get(target.slice(options.targetPrefix.length + 1))
      : undefined;
    let principal: AuthenticatedPrincipal | undefined;
    let resource: string | undefined;
    let requestParameters: unknown;
    try {
      if (operation === undefined) {
        throw new CodedError(
          'UnknownOperationException',
          `Unknown operation ${JSON.stringify(target.slice(0, 128))}.`,
        );
      }
      if (operation.auth !== 'anonymous') {
        principal = await options.authenticate(operation.auth, request, {
          service: options.signingService,
          region: options.services.identity.region,
          signedTarget: true,
        });
      }
      const body = parseBody(request.body);
      requestParameters = body;
      const input = operation.parse(body);
      const context: OperationContext = {
        requestId: request.requestId,
        principal,
        now,
        sourceIp: request.sourceIp,
        services: options.services,
      };
      resource = operation.resource(input, context);
      if (principal !== undefined && operation.auth === 'sigv4') {
        const checks =
          operation.authorization === undefined
            ? [{ action: operation.action, resource }]
            : await operation.authorization(input, context);
        await options.authorize({
          principal,
          checks,
          facts: {
            sourceIp: request.sourceIp,
            secureTransport: options.secureTransport,
            now,
            ...(principal.multiFactor === undefined ? {} : { multiFactor: principal.multiFactor }),
            region: options.services.identity.region,
          },
        });
      }
      const output = await operation.handle(input, context);
      await record(options, request, now, target, principal, resource, {
        requestParameters,
        responseElements: output,
      });
      return respond(request, 200, output);
    } catch (error) {
      const coded = toCodedError(error);
      if (coded.code === 'InternalServerError') {
        // Logged once, here, with the request id the caller sees; the caller gets nothing more.
        options.log.error('unhandled error in API operation', {
          requestId: request.requestId,
          operation: operation?.name,
          error: error instanceof Error ? error.stack : String(error),
        });
      }
      await record(options, request, now, target, principal, resource, {
        errorCode: coded.spec.awsType,
        errorMessage: coded.code === 'InternalServerError' ? undefined : coded.message,
        requestParameters,
      });
      return respond(request, coded.spec.httpStatus, {
        __type: coded.spec.awsType,
        message:
          coded.code === 'InternalServerError' ? 'An internal error occurred.' : coded.message,
      });
    }
  };
}

function parseBody(body: Buffer): JsonObject {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new CodedError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CodedError('SerializationException', 'The request body must be a JSON object.');
  }
  return value as JsonObject;
}

/** Operational errors keep their code; a parser's PayloadInvalid is an API ValidationException. */
function toCodedError(error: unknown): CodedError {
  if (!(error instanceof CodedError)) {
    return new CodedError('InternalServerError', 'An internal error occurred.', { cause: error });
  }
  if (error.code === 'PayloadInvalid') {
    return new CodedError('ValidationException', `1 validation error detected: ${error.message}`);
  }
  return error;
}

function respond(request: RawRequest, status: number, body: object): RawResponse {
  return {
    status,
    headers: { 'content-type': AWS_JSON_CONTENT_TYPE, 'x-amzn-requestid': request.requestId },
    body: JSON.stringify(body),
  };
}

async function record(
  options: AwsJsonDispatcherOptions,
  request: RawRequest,
  now: number,
  target: string,
  principal: Principal | undefined,
  resource: string | undefined,
  outcome: {
    readonly errorCode?: string;
    readonly errorMessage?: string | undefined;
    readonly requestParameters?: unknown;
    readonly responseElements?: unknown;
  },
): Promise<void> {
  // Secrets leave the request and response in cloudtrail-record.ts (redact) before storage.
  await recordApiCall(options.audit, {
    request: { ...request, userAgent: headerValue(request, 'user-agent') },
    now,
    eventSource: options.eventSource,
    eventName: target.startsWith(`${options.targetPrefix}.`)
      ? target.slice(options.targetPrefix.length + 1)
      : target,
    principalArn: principal?.arn,
    resource,
    errorCode: outcome.errorCode,
    principal,
    errorMessage: outcome.errorMessage,
    requestParameters: outcome.requestParameters,
    responseElements: outcome.responseElements,
  });
}
