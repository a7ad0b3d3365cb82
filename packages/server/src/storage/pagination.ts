// Opaque page cursors shared by every storage driver: base64url of JSON naming the listing and
// the sort key of the last item handed out. Resuming after a key (keyset pagination) stays
// correct while rows are inserted or deleted between pages, which an offset would not.

import { CodedError } from '@openssm/protocol';
import type { Page } from './records.js';

export type CursorKeyType = 'string' | 'number';

/** The decoded key, typed from its shape: `['number', 'string']` gives `[number, string]`. */
export type CursorKey<S extends readonly CursorKeyType[]> = {
  -readonly [I in keyof S]: S[I] extends 'number' ? number : string;
};

// Our cursors are a few dozen bytes; anything far longer was not issued here, and refusing it
// before decoding keeps a hostile token from costing more than a length check.
const MAX_CURSOR_LENGTH = 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export function encodeCursor(listing: string, key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify({ t: listing, k: key }), 'utf8').toString('base64url');
}

/** Decodes a cursor this server issued for `listing`; anything else is `InvalidNextToken`. */
export function decodeCursor<const S extends readonly CursorKeyType[]>(
  listing: string,
  cursor: string,
  shape: S,
): CursorKey<S> {
  if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidCursor();
  const { t, k } = parsed as { t?: unknown; k?: unknown };
  if (t !== listing || !Array.isArray(k) || k.length !== shape.length) throw invalidCursor();
  const valid = shape.every((type, index) => {
    const part: unknown = k[index];
    return type === 'number' ? Number.isSafeInteger(part) : typeof part === 'string';
  });
  if (!valid) throw invalidCursor();
  return k as CursorKey<S>;
}

/** A page size is chosen by the API layer; anything but a positive integer is a bug there. */
export function assertPageLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new RangeError(`page limit must be a positive integer, got ${String(limit)}`);
  }
}

/**
 * Builds a page from up to `limit + 1` rows in listing order: the extra row only tells that
 * more exist, so the last page never carries a cursor to an empty page.
 */
export function pageFromRows<T>(
  rows: readonly T[],
  limit: number,
  listing: string,
  keyOf: (item: T) => readonly (string | number)[],
): Page<T> {
  if (rows.length <= limit) return { items: rows };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1] as T;
  return { items, nextCursor: encodeCursor(listing, keyOf(last)) };
}

function invalidCursor(): CodedError {
  // The token is caller input: it stays out of the message (and so out of every log line).
  return new CodedError('InvalidNextToken', 'The pagination token is not one this server issued.');
}
