// Serves AWS's query protocol at `POST /` (IAM and STS, ssm-wire §12.5): a form-encoded body
// naming `Action` and `Version`, SigV4 scoped to the service (`iam` in us-east-1, IAM being
// global; `sts` in the server's region), XML responses and AWS's `<ErrorResponse>`. Every call
// is authenticated, authorized by the policy engine and audited.

import { CodedError } from '@openssm/protocol';
import type { AnyQueryOperation, QueryService } from '../api/iam/query-operation.js';
import type { OperationContext } from '../api/operation.js';
import { recordApiCall, type AuditSink } from '../audit/audit-sink.js';
import type { Authorizer } from '../policy/authorizer.js';
import type { Services } from '../services/services.js';
import type { Principal } from '../storage/records.js';
import type { Logger } from './aws-json-dispatcher.js';
import { QueryParams } from './query-params.js';
import { headerValue, type RawRequest, type RawResponse } from './raw-request.js';
import type { AuthenticatedPrincipal, Authenticator } from './request-authenticator.js';
import { xmlError, xmlResponse } from './xml-response.js';

interface ServiceSpec {
  readonly version: string;
  readonly namespace: string;
  readonly eventSource: string;
  /** IAM is global: AWS clients sign it for us-east-1 whatever region they are set to. */
  readonly signingRegion?: string;
}

const SERVICES: Readonly<Record<QueryService, ServiceSpec>> = {
  iam: {
    version: '2010-05-08',
    namespace: 'https://iam.amazonaws.com/doc/2010-05-08/',
    eventSource: 'iam.amazonaws.com',
    signingRegion: 'us-east-1',
  },
  sts: {
    version: '2011-06-15',
    namespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    eventSource: 'sts.amazonaws.com',
  },
};

/** Where the query protocol's error codes differ from the JSON ones of the same meaning. */
const QUERY_ERRORS: Readonly<Record<string, { readonly code: string; readonly status: number }>> = {
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  MissingAuthenticationToken: { code: 'MissingAuthenticationToken', status: 403 },
  IncompleteSignature: { code: 'IncompleteSignature', status: 403 },
  SignatureExpired: { code: 'SignatureDoesNotMatch', status: 403 },
  ExpiredTokenException: { code: 'ExpiredToken', status: 403 },
  ThrottlingException: { code: 'Throttling', status: 400 },
  ValidationException: { code: 'ValidationError', status: 400 },
  PayloadInvalid: { code: 'ValidationError', status: 400 },
  InternalServerError: { code: 'ServiceFailure', status: 500 },
};

export interface QueryDispatcherOptions {
  readonly operations: readonly AnyQueryOperation[];
  readonly services: Services;
  readonly authenticate: Authenticator;
  readonly authorize: Authorizer;
  readonly audit: AuditSink;
  readonly now: () => number;
  readonly log: Logger;
  readonly secureTransport: boolean;
}

export type QueryDispatcher = (request: RawRequest) => Promise<RawResponse>;

export function createQueryDispatcher(options: QueryDispatcherOptions): QueryDispatcher {
  const byKey = new Map(options.operations.map((op) => [`${op.service}:${op.name}`, op]));
  const region = options.services.identity.region;

  return async (request) => {
    const now = options.now();
    let service: QueryService = 'iam';
    let actionName = '';
    let principal: AuthenticatedPrincipal | undefined;
    let resource: string | undefined;
    try {
      const params = QueryParams.parse(request.body.toString('utf8'));
      actionName = params.optionalString('Action', 1, 128) ?? '';
      const version = params.optionalString('Version', 1, 32);
      service = version === SERVICES.sts.version ? 'sts' : 'iam';
      const operation = byKey.get(`${service}:${actionName}`);
      if (
        version === undefined ||
        version !== SERVICES[service].version ||
        operation === undefined
      ) {
        throw new CodedError(
          'UnknownOperationException',
          `Could not find operation ${actionName.slice(0, 128)} for version ${(version ?? '').slice(0, 32)}.`,
        );
      }
      principal = await options.authenticate('sigv4', request, {
        service,
        region: SERVICES[service].signingRegion ?? region,
        signedTarget: false,
      });
      const input = operation.parse(params);
      const context: OperationContext = {
        requestId: request.requestId,
        principal,
        now,
        sourceIp: request.sourceIp,
        services: options.services,
        ...(principal.sessionCredentials === true ? { sessionCredentials: true } : {}),
      };
      resource = await operation.resource(input, context);
      if (operation.alwaysAllowed !== true) {
        await options.authorize({
          principal,
          checks: [{ action: operation.action, resource }],
          facts: {
            sourceIp: request.sourceIp,
            secureTransport: options.secureTransport,
            now,
            ...(principal.multiFactor === undefined ? {} : { multiFactor: principal.multiFactor }),
            region,
          },
        });
      }
      const result = await operation.handle(input, context);
      await record(options, request, now, service, actionName, principal, resource, {
        responseElements: result,
      });
      return {
        status: 200,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body: xmlResponse(actionName, SERVICES[service].namespace, result, request.requestId),
      };
    } catch (error) {
      const coded =
        error instanceof CodedError
          ? error
          : new CodedError('InternalServerError', 'An internal error occurred.', { cause: error });
      if (coded.code === 'InternalServerError') {
        options.log.error('unhandled error in API operation', {
          requestId: request.requestId,
          operation: actionName.slice(0, 128),
          error: error instanceof Error ? error.stack : String(error),
        });
      }
      const mapped = QUERY_ERRORS[coded.code] ?? {
        code: coded.spec.awsType,
        status: coded.spec.httpStatus,
      };
      await record(options, request, now, service, actionName, principal, resource, {
        errorCode: mapped.code,
        errorMessage: coded.code === 'InternalServerError' ? undefined : coded.message,
      });
      return {
        status: mapped.status,
        headers: { 'content-type': 'text/xml', 'x-amzn-requestid': request.requestId },
        body: xmlError(
          SERVICES[service].namespace,
          mapped.status >= 500 ? 'Receiver' : 'Sender',
          mapped.code,
          coded.code === 'InternalServerError' ? 'An internal error occurred.' : coded.message,
          request.requestId,
        ),
      };
    }
  };
}

async function record(
  options: QueryDispatcherOptions,
  request: RawRequest,
  now: number,
  service: QueryService,
  actionName: string,
  principal: Principal | undefined,
  resource: string | undefined,
  outcome: {
    readonly errorCode?: string;
    readonly errorMessage?: string | undefined;
    readonly responseElements?: unknown;
  },
): Promise<void> {
  // The form's fields, without the envelope; secrets are redacted before storage.
  const requestParameters = Object.fromEntries(
    [...new URLSearchParams(request.body.toString('utf8')).entries()].filter(
      ([key]) => key !== 'Action' && key !== 'Version',
    ),
  );
  await recordApiCall(options.audit, {
    request: { ...request, userAgent: headerValue(request, 'user-agent') },
    now,
    eventSource: SERVICES[service].eventSource,
    eventName: actionName,
    principalArn: principal?.arn,
    resource,
    errorCode: outcome.errorCode,
    principal,
    errorMessage: outcome.errorMessage,
    requestParameters,
    responseElements: outcome.responseElements,
  });
}
