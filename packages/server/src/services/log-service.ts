// The log store with CloudWatch Logs' rules (docs/session-logs.md): groups and streams named as
// AWS names them, retention in AWS's day values, events read by time with AWS's tokens and
// bounds (at most 10,000 events or 1 MB a response). Session transcripts stream into it.

import { CodedError } from '@openssm/protocol';
import type { LogEventRecord, LogGroupRecord, NewLogEvent } from '../storage/log-records.js';
import type { LogRepository, LogStreamFilter } from '../storage/log-repositories.js';
import { encodeCursor } from '../storage/pagination.js';
import type { Page, PageRequest } from '../storage/records.js';

/** AWS's accepted retentionInDays values. */
export const RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];
export const LOG_GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
export const LOG_STREAM_NAME = /^[^:*]{1,512}$/;
/** CloudWatch Logs' response bounds. */
export const MAX_EVENTS_PER_RESPONSE = 10_000;
export const MAX_RESPONSE_BYTES = 1024 * 1024;
/** A message longer than this is cut (AWS's event size limit is 256 KB with its overhead). */
export const MAX_MESSAGE_BYTES = 256 * 1024 - 26;

export interface LogEventsWindow {
  readonly events: readonly LogEventRecord[];
  readonly nextForwardToken: string;
  readonly nextBackwardToken: string;
}

export interface FilterInput {
  readonly groupName: string;
  readonly streamNames?: readonly string[];
  readonly streamNamePrefix?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly filterPattern?: string;
  readonly limit: number;
  readonly nextToken?: string;
}

export interface LogService {
  createGroup(name: string, now: number): Promise<void>;
  deleteGroup(name: string): Promise<void>;
  describeGroups(prefix: string | undefined, page: PageRequest): Promise<Page<LogGroupRecord>>;
  putRetention(name: string, days: number): Promise<void>;
  describeStreams(
    filter: LogStreamFilter,
    page: PageRequest,
  ): ReturnType<LogRepository['listStreams']>;
  getEvents(input: {
    readonly groupName: string;
    readonly streamName: string;
    readonly startTime?: number;
    readonly endTime?: number;
    readonly limit: number;
    readonly startFromHead: boolean;
    readonly nextToken?: string;
  }): Promise<LogEventsWindow>;
  filterEvents(
    input: FilterInput,
  ): Promise<{ events: readonly LogEventRecord[]; nextToken?: string }>;
  /** For the server's own writers (session transcripts): creates group and stream as needed. */
  append(
    groupName: string,
    streamName: string,
    events: readonly NewLogEvent[],
    now: number,
  ): Promise<void>;
  /** Applies every group's retention; returns how many events went. */
  expire(now: number): Promise<number>;
}

export function createLogService(repository: LogRepository): LogService {
  const missingGroup = (name: string) =>
    new CodedError(
      'ResourceNotFoundException',
      `The specified log group does not exist: ${name.slice(0, 512)}`,
    );

  async function events(
    query: Parameters<LogRepository['events']>[0],
    page: PageRequest,
  ): Promise<Page<LogEventRecord>> {
    try {
      return await repository.events(query, page);
    } catch (error) {
      if (error instanceof CodedError && error.code === 'InvalidNextToken') {
        throw new CodedError('InvalidParameterException', 'The specified nextToken is invalid.');
      }
      throw error;
    }
  }

  return {
    async createGroup(name, now) {
      if (!(await repository.createGroup(name, now))) {
        throw new CodedError(
          'ResourceAlreadyExistsException',
          'The specified log group already exists',
        );
      }
    },
    async deleteGroup(name) {
      if (!(await repository.deleteGroup(name))) throw missingGroup(name);
    },
    describeGroups: async (prefix, page) => {
      try {
        return await repository.listGroups(prefix, page);
      } catch (error) {
        if (error instanceof CodedError && error.code === 'InvalidNextToken') {
          throw new CodedError('InvalidParameterException', 'The specified nextToken is invalid.');
        }
        throw error;
      }
    },
    async putRetention(name, days) {
      if (!RETENTION_DAYS.includes(days)) {
        throw new CodedError(
          'InvalidParameterException',
          `1 validation error detected: Value '${String(days)}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
        );
      }
      if (!(await repository.setRetention(name, days))) throw missingGroup(name);
    },
    async describeStreams(filter, page) {
      if (filter.orderBy === 'LastEventTime' && filter.namePrefix !== undefined) {
        throw new CodedError(
          'InvalidParameterException',
          'Cannot order by LastEventTime with a logStreamNamePrefix.',
        );
      }
      if ((await repository.getGroup(filter.groupName)) === undefined)
        throw missingGroup(filter.groupName);
      try {
        return await repository.listStreams(filter, page);
      } catch (error) {
        if (error instanceof CodedError && error.code === 'InvalidNextToken') {
          throw new CodedError('InvalidParameterException', 'The specified nextToken is invalid.');
        }
        throw error;
      }
    },

    async getEvents(input) {
      if ((await repository.getStream(input.groupName, input.streamName)) === undefined) {
        throw new CodedError(
          'ResourceNotFoundException',
          'The specified log stream does not exist.',
        );
      }
      // Tokens: `f/<cursor>` reads forward after a position, `b/<cursor>` backward before one.
      const token = input.nextToken;
      let direction: 'f' | 'b' = input.startFromHead ? 'f' : 'b';
      let cursor: string | undefined;
      if (token !== undefined) {
        if (!/^[fb]\/[A-Za-z0-9_-]*$/.test(token)) {
          throw new CodedError('InvalidParameterException', 'The specified nextToken is invalid.');
        }
        direction = token[0] as 'f' | 'b';
        cursor = token.slice(2) === '' ? undefined : token.slice(2);
      }
      const query = {
        groupName: input.groupName,
        streamNames: [input.streamName],
        ...(input.startTime === undefined ? {} : { startTime: input.startTime }),
        ...(input.endTime === undefined ? {} : { endTime: input.endTime }),
        descending: direction === 'b',
      };
      const page = await events(query, {
        limit: Math.min(input.limit, MAX_EVENTS_PER_RESPONSE),
        ...(cursor === undefined ? {} : { cursor }),
      });
      let items = boundBytes(page.items);
      if (direction === 'b') items = [...items].reverse();
      const first = items[0];
      const last = items[items.length - 1];
      const here = token ?? `${direction}/`;
      return {
        events: items,
        nextForwardToken:
          last === undefined
            ? token?.startsWith('f/') === true
              ? token
              : 'f/'
            : `f/${encodeCursor('log-events', [last.timestamp, last.streamName, last.seq])}`,
        nextBackwardToken:
          first === undefined
            ? here.startsWith('b/')
              ? here
              : 'b/'
            : `b/${encodeCursor('log-events-desc', [first.timestamp, first.streamName, first.seq])}`,
      };
    },

    async filterEvents(input) {
      if ((await repository.getGroup(input.groupName)) === undefined)
        throw missingGroup(input.groupName);
      if (input.streamNames !== undefined && input.streamNamePrefix !== undefined) {
        throw new CodedError(
          'InvalidParameterException',
          'logStreamNames and logStreamNamePrefix cannot both be given.',
        );
      }
      const page = await events(
        {
          groupName: input.groupName,
          ...(input.streamNames === undefined ? {} : { streamNames: input.streamNames }),
          ...(input.streamNamePrefix === undefined
            ? {}
            : { streamNamePrefix: input.streamNamePrefix }),
          ...(input.startTime === undefined ? {} : { startTime: input.startTime }),
          ...(input.endTime === undefined ? {} : { endTime: input.endTime }),
          terms: parseFilterPattern(input.filterPattern ?? ''),
        },
        {
          limit: Math.min(input.limit, MAX_EVENTS_PER_RESPONSE),
          ...(input.nextToken === undefined ? {} : { cursor: input.nextToken }),
        },
      );
      const items = boundBytes(page.items);
      if (items.length < page.items.length) {
        const last = items[items.length - 1]!;
        return {
          events: items,
          nextToken: encodeCursor('log-events', [last.timestamp, last.streamName, last.seq]),
        };
      }
      return {
        events: items,
        ...(page.nextCursor === undefined ? {} : { nextToken: page.nextCursor }),
      };
    },

    async append(groupName, streamName, batch, now) {
      await repository.createGroup(groupName, now);
      await repository.ensureStream(groupName, streamName, now);
      const bounded = batch.map((event) => ({
        timestamp: event.timestamp,
        message: truncate(event.message),
      }));
      if (!(await repository.append(groupName, streamName, bounded, now))) {
        throw new Error(`log stream ${groupName}/${streamName} vanished during the append`);
      }
    },

    expire: (now) => repository.expireEvents(now),
  };
}

function boundBytes(items: readonly LogEventRecord[]): LogEventRecord[] {
  const kept: LogEventRecord[] = [];
  let bytes = 0;
  for (const item of items) {
    bytes += Buffer.byteLength(item.message) + 26;
    if (bytes > MAX_RESPONSE_BYTES && kept.length > 0) break;
    kept.push(item);
  }
  return kept;
}

function truncate(message: string): string {
  if (Buffer.byteLength(message) <= MAX_MESSAGE_BYTES) return message;
  return Buffer.from(message)
    .subarray(0, MAX_MESSAGE_BYTES)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
}

/**
 * The subset of CloudWatch Logs' filter syntax for unstructured text: terms separated by spaces
 * must all occur (case-sensitive); "quoted phrases" keep their spaces. Empty matches everything.
 */
export function parseFilterPattern(pattern: string): string[] {
  const terms: string[] = [];
  const matcher = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of pattern.matchAll(matcher)) {
    const term = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : (match[2] ?? '');
    if (term !== '') terms.push(term);
  }
  return terms;
}
