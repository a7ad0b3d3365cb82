// The `{{ name }}` interpolation rules of ssm-wire §8.2, one test per rule, on document shapes
// taken from §7.2, §8.1 and §8.3.

import {
  findParameterReferences,
  interpolateParameters,
  isDocumentParameterName,
  withParameterDefaults,
  type JsonObject,
  type JsonValue,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';

const params = (values: Record<string, JsonValue>) => new Map(Object.entries(values));

describe('interpolateParameters', () => {
  it('replaces a string that is exactly one placeholder with the typed value', () => {
    const values = params({
      commands: ['df -h', 'uptime'],
      timeout: 600,
      enabled: true,
      tags: { env: 'prod' },
      rows: [{ a: '1' }],
      text: 'plain',
    });
    expect(interpolateParameters('{{ commands }}', values)).toEqual(['df -h', 'uptime']);
    expect(interpolateParameters('{{timeout}}', values)).toBe(600);
    expect(interpolateParameters('{{  enabled\t}}', values)).toBe(true);
    expect(interpolateParameters('{{ tags }}', values)).toEqual({ env: 'prod' });
    expect(interpolateParameters('{{ rows }}', values)).toEqual([{ a: '1' }]);
    expect(interpolateParameters('{{ text }}', values)).toBe('plain');
  });

  it('inserts values into a larger string as text: strings as they are, the rest as JSON', () => {
    const values = params({
      name: 'world',
      list: ['a', 'b"c'],
      n: 5,
      flag: false,
      map: { k: 'v' },
    });
    expect(interpolateParameters('hello {{ name }}!', values)).toBe('hello world!');
    expect(interpolateParameters('echo {{list}}', values)).toBe('echo ["a","b\\"c"]');
    expect(interpolateParameters('n={{ n }} f={{ flag }} m={{ map }}', values)).toBe(
      'n=5 f=false m={"k":"v"}',
    );
    // Whitespace outside the braces makes it a larger string: the value becomes text.
    expect(interpolateParameters(' {{ list }}', values)).toBe(' ["a","b\\"c"]');
  });

  it('expands a StringList placeholder in an array element to a nested list, as the agent does', () => {
    expect(interpolateParameters(['{{ commands }}'], params({ commands: ['a', 'b'] }))).toEqual([
      ['a', 'b'],
    ]);
  });

  it('turns $$ into $ in inserted text only (AWS keeps this for an old workaround)', () => {
    const values = params({ price: 'costs $$5 and $6' });
    expect(interpolateParameters('it {{ price }}', values)).toBe('it costs $5 and $6');
    // A whole-string replacement is the value itself.
    expect(interpolateParameters('{{ price }}', values)).toBe('costs $$5 and $6');
    // The document's own text is not touched.
    expect(interpolateParameters('$$ {{ price }}', values)).toBe('$$ costs $5 and $6');
  });

  it('does not scan inserted text again (one pass, no recursion)', () => {
    const values = params({ a: '{{ b }}', b: 'B' });
    expect(interpolateParameters('x {{ a }} {{ b }}', values)).toBe('x {{ b }} B');
    expect(interpolateParameters('{{ a }}', values)).toBe('{{ b }}');
  });

  it('inserts values verbatim: nothing is quoted or escaped for a shell', () => {
    const values = params({ file: "it's; rm -rf / `x` $(y)" });
    expect(interpolateParameters('cat {{ file }}', values)).toBe("cat it's; rm -rf / `x` $(y)");
  });

  it('leaves unknown names, invalid names and Parameter Store references as they are', () => {
    const values = params({ known: 'K', 'bad-name': 'X', 'ssm:/a/b': 'S' });
    expect(interpolateParameters('{{ unknown }} {{ known }}', values)).toBe('{{ unknown }} K');
    expect(interpolateParameters('{{ bad-name }}', values)).toBe('{{ bad-name }}');
    expect(interpolateParameters('{{ssm:/a/b}}', values)).toBe('{{ssm:/a/b}}');
    expect(interpolateParameters('{{ssm-secure:/x}}', values)).toBe('{{ssm-secure:/x}}');
    // Not placeholders at all: a space inside the name, single braces, nested braces.
    expect(interpolateParameters('{{ kn own }} {known} {{{known}}}', values)).toBe(
      '{{ kn own }} {known} {K}',
    );
  });

  it('walks nested objects and arrays, never keys, and leaves other values alone', () => {
    const document: JsonObject = {
      schemaVersion: '2.2',
      mainSteps: [
        {
          action: 'aws:runShellScript',
          name: 'run',
          precondition: { StringEquals: ['platformType', '{{ platform }}'] },
          inputs: {
            runCommand: '{{ commands }}',
            workingDirectory: '{{ dir }}',
            timeoutSeconds: '{{ timeout }}',
          },
          settings: { '{{ dir }}': 1, retries: 2, on: true, none: null },
        },
      ],
    };
    const values = params({ platform: 'Linux', commands: ['ls'], dir: '/tmp', timeout: '60' });
    const before = JSON.stringify(document);
    expect(interpolateParameters(document, values)).toEqual({
      schemaVersion: '2.2',
      mainSteps: [
        {
          action: 'aws:runShellScript',
          name: 'run',
          precondition: { StringEquals: ['platformType', 'Linux'] },
          inputs: { runCommand: ['ls'], workingDirectory: '/tmp', timeoutSeconds: '60' },
          settings: { '{{ dir }}': 1, retries: 2, on: true, none: null },
        },
      ],
    });
    expect(JSON.stringify(document)).toBe(before);
  });

  it('accepts a plain record as well as a map, and keeps a __proto__ key a plain key', () => {
    const record = JSON.parse('{"x":"1","__proto__":"p"}') as Record<string, JsonValue>;
    expect(interpolateParameters('{{ x }}', record)).toBe('1');
    const out = interpolateParameters(JSON.parse('{"__proto__":"{{ x }}"}') as JsonValue, record);
    expect(Object.keys(out as object)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});

describe('withParameterDefaults', () => {
  const document: JsonObject = {
    parameters: {
      commands: { type: 'StringList' },
      workingDirectory: { type: 'String', default: '' },
      executionTimeout: { type: 'String', default: '3600' },
      'not-valid': { type: 'String', default: 'x' },
    },
  };

  it('fills in defaults, lets given values win, and drops names the agent ignores', () => {
    const resolved = withParameterDefaults(document, {
      commands: ['df -h'],
      executionTimeout: '60',
      'also-bad': 'y',
    });
    expect(Object.fromEntries(resolved)).toEqual({
      workingDirectory: '',
      executionTimeout: '60',
      commands: ['df -h'],
    });
  });

  it('copes with documents without parameters or with malformed definitions', () => {
    expect(withParameterDefaults({}, { a: '1' })).toEqual(new Map([['a', '1']]));
    expect(withParameterDefaults({ parameters: ['x'] }, {})).toEqual(new Map());
    expect(withParameterDefaults({ parameters: { a: 'String' } }, {})).toEqual(new Map());
  });
});

describe('findParameterReferences / isDocumentParameterName', () => {
  it('lists valid names referenced anywhere in values, once, in order of appearance', () => {
    expect(
      findParameterReferences({
        a: ['{{ commands }}', 'x {{dir}} {{ commands }}'],
        '{{ key }}': { b: '{{ssm:/p}} {{ bad-name }} {{ timeout }}' },
        c: 1,
      }),
    ).toEqual(['commands', 'dir', 'timeout']);
  });

  it('accepts ASCII letters and digits only', () => {
    expect(isDocumentParameterName('executionTimeout2')).toBe(true);
    for (const name of ['', 'a-b', 'a_b', 'a b', 'é', 'ssm:/x']) {
      expect(isDocumentParameterName(name)).toBe(false);
    }
  });
});
