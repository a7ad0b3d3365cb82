// StartSession (ssm-wire §2.3): the node must be connected; answers the stream URL and a
// one-time token the client presents in its OpenDataChannel frame.

import { CodedError } from '@openssm/protocol';
import { DEFAULT_SESSION_DOCUMENT } from '../documents/builtin-documents.js';
import { documentArn, instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, optionalBoundedString, reader } from './input.js';

export const startSession = defineOperation({
  name: 'StartSession',
  auth: 'sigv4',
  action: 'ssm:StartSession',
  parse(body) {
    const input = reader(body);
    const parameters: Record<string, readonly string[]> = {};
    if (input.has('Parameters')) {
      for (const [name, value] of input.object('Parameters').entries()) {
        if (
          name.length < 1 ||
          name.length > 255 ||
          !Array.isArray(value) ||
          value.some((v) => typeof v !== 'string' || v.length > 65535)
        ) {
          throw new CodedError(
            'InvalidParameters',
            `Parameter ${name.slice(0, 64)} must be a list of strings.`,
          );
        }
        parameters[name] = value as string[];
      }
    }
    return {
      target: boundedString(input, 'Target', 1, 400),
      documentName:
        optionalBoundedString(input, 'DocumentName', 3, 128, /^[a-zA-Z0-9_\-.:/]{3,128}$/) ??
        DEFAULT_SESSION_DOCUMENT,
      explicitDocument: input.has('DocumentName'),
      reason: optionalBoundedString(input, 'Reason', 1, 256) ?? '',
      parameters,
    };
  },
  resource: ({ target }, { services }) => instanceArn(services.identity, target),
  authorization: async ({ target, documentName, explicitDocument }, { services }) => {
    // The node, with its tags for `ssm:resourceTag/*`, and the session document (AWS checks
    // the default one only for policies that ask with ssm:SessionDocumentAccessCheck).
    const node = await services.instances.get(target).catch(() => undefined);
    const nodeTags = Object.fromEntries(
      (node?.tags ?? []).map((tag) => [`ssm:resourceTag/${tag.key}`, tag.value]),
    );
    return [
      {
        action: 'ssm:StartSession',
        resource: instanceArn(services.identity, target),
        context: {
          ...nodeTags,
          ...(explicitDocument ? {} : { 'ssm:SessionDocumentAccessCheck': 'true' }),
        },
      },
      {
        action: 'ssm:StartSession',
        resource: documentArn(services.identity, documentName),
        ...(explicitDocument
          ? {}
          : { onlyWhenPreviousAllowUsed: 'ssm:SessionDocumentAccessCheck' }),
      },
    ];
  },
  async handle(input, { services, principal, now }) {
    if (principal === undefined) throw new Error('StartSession requires a signed caller');
    const runAsUser = await services.iam.principalTag(principal, 'SSMSessionRunAs');
    const ticket = await services.sessions.start(
      { ...input, ...(runAsUser === undefined ? {} : { runAsUser }) },
      principal,
      now,
    );
    return {
      SessionId: ticket.sessionId,
      TokenValue: ticket.tokenValue,
      StreamUrl: ticket.streamUrl,
    };
  },
});
