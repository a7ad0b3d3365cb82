// DescribeLogGroups: by name, optionally by prefix, 50 a page at most.

import { logGroupArn } from '../../services/services.js';
import { defineOperation } from '../operation.js';
import { optionalBoundedString, optionalInteger, reader } from '../input.js';
import { LOG_GROUP_NAME } from '../../services/log-service.js';

export const describeLogGroups = defineOperation({
  name: 'DescribeLogGroups',
  auth: 'sigv4',
  action: 'logs:DescribeLogGroups',
  parse(body) {
    const input = reader(body);
    return {
      prefix: optionalBoundedString(input, 'logGroupNamePrefix', 1, 512, LOG_GROUP_NAME),
      limit: optionalInteger(input, 'limit', 1, 50) ?? 50,
      nextToken: optionalBoundedString(input, 'nextToken', 1, 1024),
    };
  },
  resource: (_input, { services }) => logGroupArn(services.identity, '*'),
  async handle({ prefix, limit, nextToken }, { services }) {
    const page = await services.logs.describeGroups(prefix, {
      limit,
      ...(nextToken === undefined ? {} : { cursor: nextToken }),
    });
    return {
      logGroups: page.items.map((group) => ({
        logGroupName: group.name,
        creationTime: group.createdAt,
        ...(group.retentionDays === null ? {} : { retentionInDays: group.retentionDays }),
        metricFilterCount: 0,
        arn: `${logGroupArn(services.identity, group.name)}:*`,
        storedBytes: group.storedBytes,
      })),
      ...(page.nextCursor === undefined ? {} : { nextToken: page.nextCursor }),
    };
  },
});
