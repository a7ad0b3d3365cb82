// Reads AWS query-protocol requests (IAM, STS: form-encoded `Action=…&Version=…&UserName=…`):
// scalars by name, lists as `Name.member.N` and structures in lists as `Name.member.N.Field`,
// with the bounds AWS's models give. A failure is IAM's ValidationError, which names the field.

import { CodedError } from '@openssm/protocol';

/** A form with more fields than this was not written by an AWS client for these APIs. */
const MAX_FIELDS = 1000;
/** Lists in these APIs hold at most a few hundred entries (50 tags, 10 policy ARNs). */
const MAX_LIST_ENTRIES = 1000;

export class QueryParams {
  private constructor(private readonly fields: ReadonlyMap<string, string>) {}

  /** Parses a form body; a field given twice is refused (AWS clients never send one). */
  static parse(body: string): QueryParams {
    const fields = new Map<string, string>();
    for (const [key, value] of new URLSearchParams(body)) {
      if (fields.has(key)) throw invalid(key, 'is given more than once');
      fields.set(key, value);
      if (fields.size > MAX_FIELDS) throw invalid('request', 'has too many fields');
    }
    return new QueryParams(fields);
  }

  has(name: string): boolean {
    return this.fields.has(name);
  }

  /** A required string of `min`..`max` characters matching `pattern`. */
  string(name: string, min = 1, max = 2048, pattern?: RegExp): string {
    const value = this.fields.get(name);
    if (value === undefined) throw invalid(name, 'must not be null');
    if (value.length < min || value.length > max) {
      throw invalid(name, `must have length between ${min} and ${max}`);
    }
    if (pattern !== undefined && !pattern.test(value)) {
      throw invalid(name, `must satisfy regular expression pattern: ${pattern.source}`);
    }
    return value;
  }

  optionalString(name: string, min = 1, max = 2048, pattern?: RegExp): string | undefined {
    return this.fields.has(name) ? this.string(name, min, max, pattern) : undefined;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    const text = this.fields.get(name);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!/^-?\d+$/.test(text) || value < min || value > max) {
      throw invalid(name, `must be an integer between ${min} and ${max}`);
    }
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    const text = this.fields.get(name);
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') throw invalid(name, 'must be true or false');
    return text === 'true';
  }

  /**
   * `Name.member.1`, `Name.member.2`, … in order until the first gap; each entry read by `read`
   * with the prefix of its fields (`Name.member.N`).
   */
  list<T>(name: string, read: (prefix: string) => T): T[] {
    const items: T[] = [];
    for (let index = 1; index <= MAX_LIST_ENTRIES; index++) {
      const prefix = `${name}.member.${index}`;
      if (!this.hasUnder(prefix)) return items;
      items.push(read(prefix));
    }
    throw invalid(name, `must have at most ${MAX_LIST_ENTRIES} members`);
  }

  /** A list of plain strings. */
  stringList(name: string, min = 1, max = 2048, pattern?: RegExp): string[] {
    return this.list(name, (prefix) => this.string(prefix, min, max, pattern));
  }

  private hasUnder(prefix: string): boolean {
    if (this.fields.has(prefix)) return true;
    const dotted = `${prefix}.`;
    for (const key of this.fields.keys()) if (key.startsWith(dotted)) return true;
    return false;
  }
}

function invalid(name: string, rule: string): CodedError {
  // The value is not echoed: a field may hold a password or a policy with secrets in it.
  return new CodedError(
    'ValidationError',
    `1 validation error detected: Value at '${name}' failed to satisfy constraint: Member ${rule}`,
  );
}
