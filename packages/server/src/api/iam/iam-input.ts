// Reads IAM's common request fields (names, paths, tags, paging) from a query request, with
// the patterns and lengths of IAM's model.

import { CodedError } from '@openssm/protocol';
import type { QueryParams } from '../../http/query-params.js';
import {
  ENTITY_NAME,
  MAX_TAGS,
  PATH,
  PATH_PREFIX,
  TAG_TEXT,
} from '../../services/iam/iam-validation.js';
import type { Tag } from '../../storage/records.js';

export function readName(params: QueryParams, field: string, max: number): string {
  return params.string(field, 1, max, ENTITY_NAME);
}

export function readPath(params: QueryParams, field = 'Path'): string {
  return params.optionalString(field, 1, 512, PATH) ?? '/';
}

export function readPathPrefix(params: QueryParams): string {
  return params.optionalString('PathPrefix', 1, 512, PATH_PREFIX) ?? '/';
}

/** `Tags.member.N.Key/Value`, at most 50, keys unique without regard to case. */
export function readTags(params: QueryParams, field = 'Tags'): Tag[] {
  const tags = params.list(field, (prefix) => ({
    key: params.string(`${prefix}.Key`, 1, 128, TAG_TEXT),
    value: params.string(`${prefix}.Value`, 0, 256, TAG_TEXT),
  }));
  if (tags.length > MAX_TAGS) {
    throw new CodedError('LimitExceeded', `A resource can have at most ${MAX_TAGS} tags.`);
  }
  const keys = new Set(tags.map((tag) => tag.key.toLowerCase()));
  if (keys.size !== tags.length) {
    throw new CodedError(
      'InvalidInput',
      'Duplicate tag keys found. Tag keys are case insensitive.',
    );
  }
  return tags;
}

export function readTagKeys(params: QueryParams): string[] {
  const keys = params.stringList('TagKeys', 1, 128, TAG_TEXT);
  if (keys.length > MAX_TAGS) {
    throw new CodedError('ValidationError', `At most ${MAX_TAGS} tag keys may be given.`);
  }
  return keys;
}

/** Where a listing resumes and how much it returns: IAM's Marker and MaxItems (1–1000, 100). */
export function readPaging(params: QueryParams): { limit: number; cursor?: string } {
  const limit = params.optionalInteger('MaxItems', 1, 1000) ?? 100;
  const cursor = params.optionalString('Marker', 1, 320);
  return cursor === undefined ? { limit } : { limit, cursor };
}

export const ACCESS_KEY_ID = /^[\w]+$/;
/** `v1`, `v2`, … */
export const VERSION_ID = /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/;
