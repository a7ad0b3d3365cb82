// GetLogEvents: one stream's events by time. Without a token it answers the newest events
// (startFromHead false, AWS's default) or the oldest; the forward and backward tokens go on
// from there, and the forward token stays the same when nothing new arrived (tailing).

import { logStreamArn } from '../../services/services.js';
import { defineOperation } from '../operation.js';
import { boundedString, optionalBoundedString, optionalInteger, reader } from '../input.js';
import { LOG_STREAM_NAME, MAX_EVENTS_PER_RESPONSE } from '../../services/log-service.js';
import { groupName, optionalMillis } from './logs-input.js';

export const getLogEvents = defineOperation({
  name: 'GetLogEvents',
  auth: 'sigv4',
  action: 'logs:GetLogEvents',
  parse(body) {
    const input = reader(body);
    const startTime = optionalMillis(input, 'startTime');
    const endTime = optionalMillis(input, 'endTime');
    const nextToken = optionalBoundedString(input, 'nextToken', 1, 1024);
    return {
      groupName: groupName(input),
      streamName: boundedString(input, 'logStreamName', 1, 512, LOG_STREAM_NAME),
      ...(startTime === undefined ? {} : { startTime }),
      ...(endTime === undefined ? {} : { endTime }),
      limit: optionalInteger(input, 'limit', 1, MAX_EVENTS_PER_RESPONSE) ?? MAX_EVENTS_PER_RESPONSE,
      startFromHead: input.optionalBoolean('startFromHead') ?? false,
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  },
  resource: (input, { services }) =>
    logStreamArn(services.identity, input.groupName, input.streamName),
  async handle(input, { services }) {
    const window = await services.logs.getEvents(input);
    return {
      events: window.events.map((event) => ({
        timestamp: event.timestamp,
        message: event.message,
        ingestionTime: event.ingestionTime,
      })),
      nextForwardToken: window.nextForwardToken,
      nextBackwardToken: window.nextBackwardToken,
    };
  },
});
