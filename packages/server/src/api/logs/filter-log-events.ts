// FilterLogEvents: a group's events across streams, interleaved by time, optionally filtered
// by terms (the text subset of AWS's filter pattern syntax). `aws logs tail` polls it.

import { CodedError } from '@openssm/protocol';
import { logGroupArn } from '../../services/services.js';
import { defineOperation } from '../operation.js';
import { optionalBoundedString, optionalInteger, reader } from '../input.js';
import { LOG_STREAM_NAME, MAX_EVENTS_PER_RESPONSE } from '../../services/log-service.js';
import { groupName, optionalMillis, optionalStreamName } from './logs-input.js';

export const filterLogEvents = defineOperation({
  name: 'FilterLogEvents',
  auth: 'sigv4',
  action: 'logs:FilterLogEvents',
  parse(body) {
    const input = reader(body);
    let streamNames: readonly string[] | undefined;
    if (input.has('logStreamNames')) {
      streamNames = input.stringArray('logStreamNames');
      if (streamNames.length < 1 || streamNames.length > 100) {
        throw input.fail('logStreamNames', 'must hold 1 to 100 names');
      }
      if (streamNames.some((name) => !LOG_STREAM_NAME.test(name))) {
        throw new CodedError('InvalidParameterException', 'A log stream name is invalid.');
      }
    }
    const prefix = optionalStreamName(input, 'logStreamNamePrefix');
    const startTime = optionalMillis(input, 'startTime');
    const endTime = optionalMillis(input, 'endTime');
    const filterPattern = optionalBoundedString(input, 'filterPattern', 0, 1024);
    const nextToken = optionalBoundedString(input, 'nextToken', 1, 1024);
    return {
      groupName: groupName(input),
      ...(streamNames === undefined ? {} : { streamNames }),
      ...(prefix === undefined ? {} : { streamNamePrefix: prefix }),
      ...(startTime === undefined ? {} : { startTime }),
      ...(endTime === undefined ? {} : { endTime }),
      ...(filterPattern === undefined ? {} : { filterPattern }),
      limit: optionalInteger(input, 'limit', 1, MAX_EVENTS_PER_RESPONSE) ?? MAX_EVENTS_PER_RESPONSE,
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  },
  resource: (input, { services }) => logGroupArn(services.identity, input.groupName),
  async handle(input, { services }) {
    const result = await services.logs.filterEvents(input);
    return {
      events: result.events.map((event) => ({
        logStreamName: event.streamName,
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
        eventId: `${String(event.timestamp)}-${String(event.seq)}-${event.streamName}`,
      })),
      searchedLogStreams: [],
      ...(result.nextToken === undefined ? {} : { nextToken: result.nextToken }),
    };
  },
});
