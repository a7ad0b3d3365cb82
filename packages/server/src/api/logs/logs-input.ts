// Shared input rules of the CloudWatch Logs operations (service `logs`, JSON 1.1 with
// camelCase members): names with AWS's patterns, times in epoch milliseconds, AWS's limits.

import type { JsonObjectReader } from '@openssm/protocol';
import { LOG_GROUP_NAME, LOG_STREAM_NAME } from '../../services/log-service.js';
import { boundedString, optionalBoundedString } from '../input.js';

export const LOGS_TARGET_PREFIX = 'Logs_20140328';

export function groupName(input: JsonObjectReader): string {
  if (!input.has('logGroupName') && input.has('logGroupIdentifier')) {
    // An identifier is a name or an ARN (`…:log-group:<name>[:*]`).
    const identifier = boundedString(input, 'logGroupIdentifier', 1, 2048);
    const match = /:log-group:([^:]+)(?::\*)?$/.exec(identifier);
    return match?.[1] ?? identifier;
  }
  return boundedString(input, 'logGroupName', 1, 512, LOG_GROUP_NAME);
}

export function optionalStreamName(input: JsonObjectReader, key: string): string | undefined {
  return optionalBoundedString(input, key, 1, 512, LOG_STREAM_NAME);
}

/** Epoch milliseconds (CloudWatch Logs' `long` timestamps). */
export function optionalMillis(input: JsonObjectReader, key: string): number | undefined {
  return input.has(key) ? input.integer(key, 0, Number.MAX_SAFE_INTEGER) : undefined;
}
