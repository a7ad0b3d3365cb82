// Serves the full stdout/stderr of a Run Command step — what StandardOutputUrl and
// StandardErrorUrl point at: `GET /v1/command-output/<command>/<node>/<step index>/<stream>`,
// signed with SigV4 for service `ssm` like any API call (curl --aws-sigv4, `openssm run
// output`), and allowed to whoever may call ssm:GetCommandInvocation — the same data, whole.

import type { FastifyInstance } from 'fastify';
import { CodedError } from '@openssm/protocol';
import type { AuditSink } from '../audit/audit-sink.js';
import type { Logger } from '../logging/logger.js';
import type { Authorizer } from '../policy/authorizer.js';
import { COMMAND_OUTPUT_PATH } from '../services/command-service.js';
import type { Services } from '../services/services.js';
import type { Principal } from '../storage/records.js';
import type { RawRequest } from './raw-request.js';
import type { Authenticator } from './request-authenticator.js';

export interface CommandOutputRouteOptions {
  readonly services: Services;
  readonly authenticate: Authenticator;
  readonly authorize: Authorizer;
  readonly audit: AuditSink;
  readonly secureTransport: boolean;
  readonly now: () => number;
  readonly log: Logger;
}

const PARAMS = /^[0-9a-f-]{36}$/;

export function registerCommandOutputRoute(
  app: FastifyInstance,
  options: CommandOutputRouteOptions,
): void {
  const { services } = options;
  app.get<{ Params: { commandId: string; instanceId: string; plugin: string; stream: string } }>(
    `${COMMAND_OUTPUT_PATH}/:commandId/:instanceId/:plugin/:stream`,
    async (request, reply) => {
      const now = options.now();
      const url = request.raw.url ?? '/';
      const queryAt = url.indexOf('?');
      const raw: RawRequest = {
        method: request.method,
        path: queryAt < 0 ? url : url.slice(0, queryAt),
        query: queryAt < 0 ? '' : url.slice(queryAt + 1),
        headers: request.headers,
        body: Buffer.alloc(0),
        sourceIp: request.ip,
        requestId: request.id,
      };
      let principal: Principal | undefined;
      const { commandId, instanceId, plugin, stream } = request.params;
      try {
        principal = await options.authenticate('sigv4', raw, {
          service: 'ssm',
          region: services.identity.region,
          signedTarget: false,
        });
        await options.authorize({
          principal,
          checks: [{ action: 'ssm:GetCommandInvocation', resource: '*' }],
          facts: {
            sourceIp: request.ip,
            secureTransport: options.secureTransport,
            now,
            region: services.identity.region,
          },
        });
        if (!PARAMS.test(commandId)) throw new CodedError('InvalidCommandId', '');
        if (!/^(0|[1-9][0-9]{0,2})$/.test(plugin)) throw new CodedError('InvalidPluginName', '');
        if (stream !== 'stdout' && stream !== 'stderr') {
          throw new CodedError('ValidationException', 'The stream is stdout or stderr.');
        }
        const view = await services.commands.getInvocation(commandId, instanceId);
        const body = await services.commands.readOutput(view, Number(plugin), stream);
        if (body === undefined) {
          throw new CodedError(
            'OutputNotAvailable',
            'The full output of this step has not been received (yet).',
          );
        }
        audit(options, raw, now, principal, undefined);
        return await reply
          .code(200)
          .header('content-type', 'application/octet-stream')
          .header('x-amzn-requestid', request.id)
          .send(body);
      } catch (error) {
        const coded =
          error instanceof CodedError
            ? error
            : new CodedError('InternalServerError', 'An internal error occurred.', {
                cause: error,
              });
        if (coded.code === 'InternalServerError') {
          options.log.error('command output could not be served', {
            requestId: request.id,
            error: error instanceof Error ? error.message : String(error),
          });
        }
        audit(options, raw, now, principal, coded.spec.awsType);
        // A URL that names nothing is a 404 whatever the API would call it.
        const notFound = ['InvalidCommandId', 'InvocationDoesNotExist', 'InvalidPluginName'];
        return reply
          .code(
            notFound.includes(coded.code)
              ? 404
              : coded.code === 'AccessDeniedException'
                ? 403
                : coded.spec.httpStatus,
          )
          .header('content-type', 'application/json')
          .header('x-amzn-requestid', request.id)
          .send(
            JSON.stringify({
              __type: coded.spec.awsType,
              message:
                coded.code === 'InternalServerError'
                  ? 'An internal error occurred.'
                  : coded.message,
            }),
          );
      }
    },
  );
}

function audit(
  options: CommandOutputRouteOptions,
  raw: RawRequest,
  now: number,
  principal: Principal | undefined,
  errorCode: string | undefined,
): void {
  options.audit.record({
    time: now,
    requestId: raw.requestId,
    eventSource: 'ssm.amazonaws.com',
    eventName: 'GetCommandInvocationOutput',
    principalArn: principal?.arn,
    sourceIp: raw.sourceIp,
    userAgent: (raw.headers['user-agent'] as string | undefined)?.slice(0, 512),
    errorCode,
    resource: raw.path.slice(0, 300),
  });
}
