// DescribeLogStreams: a group's streams by name or by last event time, 50 a page at most.

import { logGroupArn, logStreamArn } from '../../services/services.js';
import { defineOperation } from '../operation.js';
import { optionalBoundedString, optionalInteger, reader } from '../input.js';
import { groupName, optionalStreamName } from './logs-input.js';

export const describeLogStreams = defineOperation({
  name: 'DescribeLogStreams',
  auth: 'sigv4',
  action: 'logs:DescribeLogStreams',
  parse(body) {
    const input = reader(body);
    return {
      groupName: groupName(input),
      prefix: optionalStreamName(input, 'logStreamNamePrefix'),
      orderBy: input.has('orderBy')
        ? input.oneOf('orderBy', ['LogStreamName', 'LastEventTime'] as const)
        : ('LogStreamName' as const),
      descending: input.optionalBoolean('descending') ?? false,
      limit: optionalInteger(input, 'limit', 1, 50) ?? 50,
      nextToken: optionalBoundedString(input, 'nextToken', 1, 1024),
    };
  },
  resource: (input, { services }) => logGroupArn(services.identity, input.groupName),
  async handle(input, { services }) {
    const page = await services.logs.describeStreams(
      {
        groupName: input.groupName,
        ...(input.prefix === undefined ? {} : { namePrefix: input.prefix }),
        orderBy: input.orderBy,
        descending: input.descending,
      },
      { limit: input.limit, ...(input.nextToken === undefined ? {} : { cursor: input.nextToken }) },
    );
    return {
      logStreams: page.items.map((stream) => ({
        logStreamName: stream.name,
        creationTime: stream.createdAt,
        ...(stream.firstEventAt === null ? {} : { firstEventTimestamp: stream.firstEventAt }),
        ...(stream.lastEventAt === null ? {} : { lastEventTimestamp: stream.lastEventAt }),
        ...(stream.lastIngestionAt === null ? {} : { lastIngestionTime: stream.lastIngestionAt }),
        arn: logStreamArn(services.identity, stream.groupName, stream.name),
        storedBytes: stream.storedBytes,
      })),
      ...(page.nextCursor === undefined ? {} : { nextToken: page.nextCursor }),
    };
  },
});
