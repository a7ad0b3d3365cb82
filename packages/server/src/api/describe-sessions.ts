// DescribeSessions: Active or History, with AWS's lower-case {key, value} filters (ssm-wire §2.3).

import { CodedError } from '@openssm/protocol';
import type { SessionFilter } from '../storage/repositories.js';
import type { SessionRecord, SessionStatus } from '../storage/records.js';
import { sessionArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, epochSeconds, nextToken, pageInput, reader } from './input.js';

const STATUSES: readonly SessionStatus[] = [
  'Connected',
  'Connecting',
  'Disconnected',
  'Terminated',
  'Terminating',
  'Failed',
];

export const describeSessions = defineOperation({
  name: 'DescribeSessions',
  auth: 'sigv4',
  action: 'ssm:DescribeSessions',
  parse(body) {
    const input = reader(body);
    const state = input.oneOf('State', ['Active', 'History'] as const);
    let filter: { -readonly [K in keyof SessionFilter]: SessionFilter[K] } = { state };
    const items = input.has('Filters') ? input.objectArray('Filters') : [];
    if (items.length > 6) throw input.fail('Filters', 'must hold at most 6 filters');
    for (const item of items) {
      const key = item.string('key');
      const value = boundedString(item, 'value', 1, 400);
      if (key === 'Target') filter.target = value;
      else if (key === 'Owner') filter.owner = value;
      else if (key === 'SessionId') filter.sessionId = value;
      else if (key === 'InvokedAfter') filter.startedAfter = timestamp(value);
      else if (key === 'InvokedBefore') filter.startedBefore = timestamp(value);
      else if (key === 'Status') {
        if (!(STATUSES as readonly string[]).includes(value))
          throw item.fail('value', `must be one of ${STATUSES.join(', ')}`);
        filter.status = value as SessionStatus;
      } else if (key === 'AccessType') {
        // Every session here is Standard; JustInTime access does not exist.
        if (value !== 'Standard') filter = { ...filter, sessionId: '' };
      } else {
        throw new CodedError(
          'InvalidFilterKey',
          `Unsupported filter key ${JSON.stringify(key.slice(0, 64))}.`,
        );
      }
    }
    return { filter, page: pageInput(input, 1, 200, 20) };
  },
  resource: (_input, { services }) => sessionArn(services.identity, '*'),
  async handle({ filter, page }, { services }) {
    const result = await services.sessions.list(filter, page);
    return { Sessions: result.items.map(describe), ...nextToken(result.nextCursor) };
  },
});

function timestamp(value: string): number {
  const ms = Date.parse(value);
  if (Number.isNaN(ms))
    throw new CodedError('ValidationException', `${value.slice(0, 64)} is not a date (ISO 8601).`);
  return ms;
}

function describe(session: SessionRecord) {
  return {
    SessionId: session.sessionId,
    Target: session.target,
    Status: session.status,
    StartDate: epochSeconds(session.startedAt),
    ...(session.endedAt === null ? {} : { EndDate: epochSeconds(session.endedAt) }),
    DocumentName: session.documentName,
    Owner: session.owner,
    ...(session.reason === '' ? {} : { Reason: session.reason }),
    ...(session.details === '' ? {} : { Details: session.details }),
    OutputUrl: {},
    AccessType: 'Standard',
  };
}
