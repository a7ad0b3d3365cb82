// Strict JSON for policy documents: RFC 8259 with duplicate object keys rejected. JSON.parse keeps
// the last of two equal keys, so `{"Effect":"Deny","Effect":"Allow"}` would silently allow; a
// policy that reads differently to a person and to the evaluator must not be stored at all.

/** A parsed JSON value. Objects have a null prototype, so a `__proto__` key is just a key. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/** Why the text is not strict JSON, with the 1-based line and column where it stops being so. */
export class PolicyJsonError extends Error {
  override readonly name = 'PolicyJsonError';
}

// Policy documents nest five levels deep at most (Statement → Condition → operator → key →
// values); anything far deeper is hostile, and recursion depth must stay bounded.
const MAX_DEPTH = 32;

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses `text` as one JSON value; throws PolicyJsonError on bad syntax or a duplicate key. */
export function parsePolicyJson(text: string): JsonValue {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const value = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos < text.length) parser.fail('unexpected text after the document');
  return value;
}

class Parser {
  pos = 0;

  constructor(private readonly text: string) {}

  value(depth: number): JsonValue {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const char = this.text[this.pos];
    switch (char) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected end of input');
      default:
        return this.number();
    }
  }

  private object(depth: number): JsonObject {
    const result = Object.create(null) as Record<string, JsonValue>;
    const seen = new Set<string>();
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return result;
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const keyAt = this.pos;
      const key = this.string();
      if (seen.has(key)) {
        this.pos = keyAt;
        this.fail(`duplicate key "${key}"`);
      }
      seen.add(key);
      this.skipWhitespace();
      this.expect(':');
      this.skipWhitespace();
      result[key] = this.value(depth + 1);
      this.skipWhitespace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.skipWhitespace();
        continue;
      }
      this.expect('}');
      return result;
    }
  }

  private array(depth: number): JsonValue[] {
    const result: JsonValue[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      result.push(this.value(depth + 1));
      this.skipWhitespace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.skipWhitespace();
        continue;
      }
      this.expect(']');
      return result;
    }
  }

  private string(): string {
    let result = '';
    let start = ++this.pos;
    for (;;) {
      const code = this.text.charCodeAt(this.pos);
      if (Number.isNaN(code)) this.fail('unterminated string');
      if (code === 0x22) {
        result += this.text.slice(start, this.pos++);
        return result;
      }
      if (code < 0x20) this.fail('control character in string');
      if (code === 0x5c) {
        result += this.text.slice(start, this.pos);
        result += this.escape();
        start = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private escape(): string {
    const char = this.text[this.pos + 1] ?? '';
    const simple = ESCAPES[char];
    if (simple !== undefined) {
      this.pos += 2;
      return simple;
    }
    const hex = this.text.slice(this.pos + 2, this.pos + 6);
    if (char !== 'u' || !/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid escape in string');
    this.pos += 6;
    return String.fromCharCode(parseInt(hex, 16));
  }

  private number(): number {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail(`unexpected character '${this.text[this.pos] ?? ''}'`);
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private literal<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) {
      this.fail(`unexpected character '${this.text[this.pos] ?? ''}'`);
    }
    this.pos += word.length;
    return value;
  }

  private expect(char: string): void {
    if (this.text[this.pos] !== char) {
      const found = this.text[this.pos];
      this.fail(
        found === undefined ? `expected '${char}'` : `expected '${char}', found '${found}'`,
      );
    }
    this.pos++;
  }

  skipWhitespace(): void {
    for (;;) {
      const char = this.text[this.pos];
      if (char !== ' ' && char !== '\t' && char !== '\n' && char !== '\r') return;
      this.pos++;
    }
  }

  fail(reason: string): never {
    const before = this.text.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    throw new PolicyJsonError(`${reason} at line ${line}, column ${column}`);
  }
}
