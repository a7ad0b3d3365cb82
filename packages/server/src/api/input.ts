// Validation helpers shared by the operations' `parse` functions, on top of protocol's
// JsonObjectReader. A failure throws PayloadInvalid, which the dispatcher answers as AWS's
// ValidationException, or a more specific AWS code where AWS has one.

import { CodedError, JsonObjectReader, type JsonObject } from '@openssm/protocol';
import type { Tag } from '../storage/records.js';

export function reader(body: JsonObject): JsonObjectReader {
  return JsonObjectReader.from(body, 'request');
}

export function boundedString(
  input: JsonObjectReader,
  key: string,
  min: number,
  max: number,
  pattern?: RegExp,
): string {
  const value = input.string(key);
  if (value.length < min || value.length > max) {
    throw input.fail(key, `must have length between ${min} and ${max}`);
  }
  if (pattern !== undefined && !pattern.test(value)) {
    throw input.fail(key, `must satisfy regular expression pattern: ${pattern.source}`);
  }
  return value;
}

export function optionalBoundedString(
  input: JsonObjectReader,
  key: string,
  min: number,
  max: number,
  pattern?: RegExp,
): string | undefined {
  return input.has(key) ? boundedString(input, key, min, max, pattern) : undefined;
}

export function optionalInteger(
  input: JsonObjectReader,
  key: string,
  min: number,
  max: number,
): number | undefined {
  return input.has(key) ? input.integer(key, min, max) : undefined;
}

/** An epoch-seconds timestamp (fractions allowed, ssm-wire §2.1) as epoch milliseconds. */
export function optionalTimestamp(input: JsonObjectReader, key: string): number | undefined {
  if (!input.has(key)) return undefined;
  const value = input.value(key);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1e11) {
    throw input.fail(key, 'must be a timestamp in epoch seconds');
  }
  return Math.round(value * 1000);
}

/** AWS timestamps leave as epoch seconds with millisecond fractions. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}

/** `[{Key, Value}]` with AWS's limits (key 1–128, value 0–256, at most `max`). */
export function tagList(input: JsonObjectReader, key: string, max: number): Tag[] {
  if (!input.has(key)) return [];
  const items = input.objectArray(key);
  if (items.length > max) {
    throw new CodedError('TooManyTagsError', `At most ${max} tags may be given.`);
  }
  return items.map((item) => ({
    key: boundedString(item, 'Key', 1, 128, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u),
    value: boundedString(item, 'Value', 0, 256, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u),
  }));
}

export function tagsOut(tags: readonly Tag[]): { Key: string; Value: string }[] {
  return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
}

export interface PageInput {
  readonly limit: number;
  readonly cursor?: string;
}

export function pageInput(
  input: JsonObjectReader,
  min: number,
  max: number,
  fallback: number,
): PageInput {
  const limit = optionalInteger(input, 'MaxResults', min, max) ?? fallback;
  const cursor = optionalBoundedString(input, 'NextToken', 1, 1024);
  return cursor === undefined ? { limit } : { limit, cursor };
}

/** `NextToken` only when there is a next page. */
export function nextToken(cursor: string | undefined): { NextToken?: string } {
  return cursor === undefined ? {} : { NextToken: cursor };
}

export const INSTANCE_ID_PATTERN = /^mi-[0-9a-f]{17}$/;
