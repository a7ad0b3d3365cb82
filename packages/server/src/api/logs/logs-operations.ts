// Every CloudWatch Logs operation this server answers (X-Amz-Target `Logs_20140328.<Op>`,
// SigV4 service `logs`).

import type { AnyOperation } from '../operation.js';
import { createLogGroup } from './create-log-group.js';
import { deleteLogGroup } from './delete-log-group.js';
import { describeLogGroups } from './describe-log-groups.js';
import { describeLogStreams } from './describe-log-streams.js';
import { filterLogEvents } from './filter-log-events.js';
import { getLogEvents } from './get-log-events.js';
import { putRetentionPolicy } from './put-retention-policy.js';

export const LOGS_OPERATIONS: readonly AnyOperation[] = [
  createLogGroup,
  deleteLogGroup,
  describeLogGroups,
  describeLogStreams,
  filterLogEvents,
  getLogEvents,
  putRetentionPolicy,
];
