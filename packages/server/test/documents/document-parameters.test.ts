// Parameter definitions (what a document may declare) and the check of supplied values (what
// SendCommand and StartSession accept): every rule, each refusal with its code and message.

import { CodedError, type JsonValue } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  parseParameterDefinitions,
  validateParameterValues,
  type DocumentParameterDefinition,
} from '../../src/documents/document-parameters.js';

function refusal(run: () => unknown): CodedError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CodedError);
    return error as CodedError;
  }
  throw new Error('expected a CodedError');
}

const definitions = (section: JsonValue) => parseParameterDefinitions(section);

describe('parseParameterDefinitions', () => {
  it('reads every supported type and constraint', () => {
    expect(
      definitions({
        commands: { type: 'StringList', description: 'What to run', minItems: 1, maxItems: 3 },
        dir: { type: 'String', default: '', maxChars: 4096, displayType: 'textfield' },
        level: { type: 'String', allowedValues: ['low', 'high'], default: 'low' },
        id: { type: 'String', allowedPattern: '^[a-z]+$', minChars: 1 },
        count: { type: 'Integer', default: 3 },
        force: { type: 'Boolean', default: false },
        labels: { type: 'StringMap', default: { env: 'prod' } },
        disks: { type: 'MapList', default: [{ name: 'sda' }] },
      }),
    ).toEqual([
      {
        name: 'commands',
        type: 'StringList',
        description: 'What to run',
        minItems: 1,
        maxItems: 3,
      },
      {
        name: 'dir',
        type: 'String',
        description: '',
        default: '',
        maxChars: 4096,
        displayType: 'textfield',
      },
      {
        name: 'level',
        type: 'String',
        description: '',
        allowedValues: ['low', 'high'],
        default: 'low',
      },
      { name: 'id', type: 'String', description: '', allowedPattern: '^[a-z]+$', minChars: 1 },
      { name: 'count', type: 'Integer', description: '', default: 3 },
      { name: 'force', type: 'Boolean', description: '', default: false },
      { name: 'labels', type: 'StringMap', description: '', default: { env: 'prod' } },
      { name: 'disks', type: 'MapList', description: '', default: [{ name: 'sda' }] },
    ]);
    expect(definitions(undefined as unknown as JsonValue)).toEqual([]);
  });

  it.each([
    [['a', 'b'], /parameters must be an object/],
    [{ 'bad-name': { type: 'String' } }, /Parameter name "bad-name" is not valid/],
    [{ ['a'.repeat(256)]: { type: 'String' } }, /is not valid: use 1 to 255 letters and digits/],
    [{ a: 'String' }, /parameters\.a must be an object with at least a type/],
    [{ a: {} }, /parameters\.a\.type must be one of String, StringList, Integer/],
    [{ a: { type: 'SecureString' } }, /parameters\.a\.type must be one of/],
    [{ a: { type: 'String', color: 'red' } }, /parameters\.a has an unknown key "color"/],
    [{ a: { type: 'String', description: 5 } }, /parameters\.a\.description must be a string/],
    [{ a: { type: 'String', allowedValues: [] } }, /allowedValues must be a non-empty list/],
    [{ a: { type: 'String', allowedValues: [1] } }, /allowedValues must be a non-empty list/],
    [{ a: { type: 'String', allowedPattern: '([' } }, /allowedPattern is not a valid regular/],
    [{ a: { type: 'String', minChars: -1 } }, /minChars must be a whole number of 0 or more/],
    [{ a: { type: 'String', maxChars: 1.5 } }, /maxChars must be a whole number/],
    [{ a: { type: 'String', minItems: 1 } }, /minItems applies to StringList and MapList/],
    [{ a: { type: 'Integer', maxChars: 3 } }, /maxChars applies to String and StringList/],
    [{ a: { type: 'StringList', minItems: 3, maxItems: 2 } }, /minItems is larger than maxItems/],
    [{ a: { type: 'String', displayType: 'big' } }, /displayType must be one of textarea/],
    [{ a: { type: 'String', default: 5 } }, /parameters\.a\.default must be a string/],
    [{ a: { type: 'StringList', default: 'x' } }, /default must be a list of strings/],
    [{ a: { type: 'Integer', default: '5' } }, /default must be a whole number/],
    [{ a: { type: 'Boolean', default: 'true' } }, /default must be true or false/],
    [{ a: { type: 'StringMap', default: [] } }, /default must be an object/],
    [{ a: { type: 'MapList', default: ['x'] } }, /default must be a list of objects/],
    [
      { a: { type: 'String', allowedValues: ['x'], default: 'y' } },
      /default value is not one of the allowed values: x/,
    ],
    [
      { a: { type: 'String', allowedPattern: '[0-9]+', default: '12a' } },
      /default value does not match the allowed pattern/,
    ],
    [{ a: { type: 'String', maxChars: 2, default: 'abc' } }, /default value must have at most 2/],
    [{ a: { type: 'StringList', minItems: 1, default: [] } }, /default needs at least 1 value/],
  ] as const)('refuses the definition %j: %s', (section, message) => {
    const error = refusal(() => definitions(section));
    expect(error.code).toBe('InvalidDocumentContent');
    expect(error.message).toMatch(message);
  });
});

describe('validateParameterValues', () => {
  const declared: DocumentParameterDefinition[] = definitions({
    commands: { type: 'StringList', minItems: 1, maxItems: 3, maxChars: 10 },
    workingDirectory: { type: 'String', default: '' },
    executionTimeout: {
      type: 'String',
      default: '3600',
      allowedPattern:
        '([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)',
    },
    level: { type: 'String', allowedValues: ['low', 'high'], default: 'low' },
    name: { type: 'String', minChars: 2, maxChars: 4, default: 'ab' },
    count: { type: 'Integer', default: 1, allowedValues: ['1', '2', '3'] },
    force: { type: 'Boolean', default: false },
    labels: { type: 'StringMap', default: {} },
    disks: { type: 'MapList', default: [], maxItems: 2 },
  });
  const check = (supplied: Record<string, readonly string[]>) =>
    validateParameterValues(declared, supplied, 'Demo-Doc');
  const refused = (supplied: Record<string, readonly string[]>) => refusal(() => check(supplied));

  it('fills defaults and types every value as the agent receives it', () => {
    expect(check({ commands: ['df -h', 'uptime'] })).toEqual({
      commands: ['df -h', 'uptime'],
      workingDirectory: '',
      executionTimeout: '3600',
      level: 'low',
      name: 'ab',
      count: 1,
      force: false,
      labels: {},
      disks: [],
    });
    expect(
      check({
        commands: ['ls'],
        workingDirectory: ['/tmp'],
        executionTimeout: ['172800'],
        level: ['high'],
        name: ['abcd'],
        count: [' 3 '],
        force: ['TRUE'],
        labels: ['{"env":"prod","tier":"web"}'],
        disks: ['{"name":"sda"}', '{"name":"sdb"}'],
      }),
    ).toEqual({
      commands: ['ls'],
      workingDirectory: '/tmp',
      executionTimeout: '172800',
      level: 'high',
      name: 'abcd',
      count: 3,
      force: true,
      labels: { env: 'prod', tier: 'web' },
      disks: [{ name: 'sda' }, { name: 'sdb' }],
    });
  });

  it('refuses an unknown parameter, naming the ones the document has', () => {
    const error = refused({ commands: ['ls'], comands: ['x'] });
    expect(error.code).toBe('InvalidParameters');
    expect(error.message).toBe(
      'Parameter "comands" is not defined in document Demo-Doc (its parameters: commands, workingDirectory, executionTimeout, level, name, count, force, labels, disks).',
    );
  });

  it('refuses a missing required parameter', () => {
    expect(refused({}).message).toBe(
      'Parameter "commands" of document Demo-Doc is required and has no default.',
    );
  });

  it.each([
    [
      { workingDirectory: ['a', 'b'] },
      /"workingDirectory" .* is a String and takes exactly one value, got 2/,
    ],
    [{ workingDirectory: [] }, /takes exactly one value, got 0/],
    [{ count: ['1.5'] }, /"count" .* must be a whole number/],
    [{ count: ['ten'] }, /"count" .* must be a whole number/],
    [{ count: ['9007199254740993'] }, /"count" .* must be a whole number/],
    [{ force: ['yes'] }, /"force" .* must be true or false/],
    [{ labels: ['env=prod'] }, /"labels" .* must be a JSON object/],
    [{ labels: ['["x"]'] }, /"labels" .* must be a JSON object/],
    [{ disks: ['{"a":1}', '"b"'] }, /"disks" .* value 2 must be a JSON object/],
  ] as const)('refuses a wrong type or count: %j', (supplied, message) => {
    const error = refused({ commands: ['ls'], ...supplied });
    expect(error.code).toBe('InvalidParameters');
    expect(error.message).toMatch(message);
  });

  it('refuses a value outside allowedValues, for strings and integers', () => {
    expect(refused({ commands: ['ls'], level: ['medium'] }).message).toBe(
      'Parameter "level" of document Demo-Doc value is not one of the allowed values: low, high.',
    );
    expect(refused({ commands: ['ls'], count: ['4'] }).message).toMatch(
      /"count" .* not one of the allowed values: 1, 2, 3/,
    );
  });

  it('matches allowedPattern against the whole value', () => {
    for (const ok of ['1', '3600', '99999', '172799', '172800']) {
      expect(check({ commands: ['ls'], executionTimeout: [ok] })['executionTimeout']).toBe(ok);
    }
    for (const bad of ['0', '172801', '999999', '60s', ' 60', '']) {
      const error = refused({ commands: ['ls'], executionTimeout: [bad] });
      expect(error.code).toBe('InvalidParameters');
      expect(error.message).toMatch(
        /"executionTimeout" .* value does not match the allowed pattern/,
      );
    }
  });

  it('checks minChars/maxChars on every string, by position, without quoting the value', () => {
    expect(refused({ commands: ['ls'], name: ['a'] }).message).toMatch(
      /"name" .* value must have at least 2 characters, got 1/,
    );
    expect(refused({ commands: ['ls'], name: ['abcde'] }).message).toMatch(
      /at most 4 characters, got 5/,
    );
    const error = refused({ commands: ['ls', 'secret-value-too-long'] });
    expect(error.message).toMatch(/"commands" .* value 2 must have at most 10 characters, got 21/);
    expect(error.message).not.toContain('secret');
    // Characters, not UTF-16 units: four emoji are four characters.
    expect(check({ commands: ['ls'], name: ['😀😀😀😀'] })['name']).toBe('😀😀😀😀');
  });

  it('checks minItems/maxItems on lists', () => {
    expect(refused({ commands: [] }).message).toMatch(
      /"commands" .* needs at least 1 value\(s\), got 0/,
    );
    expect(refused({ commands: ['a', 'b', 'c', 'd'] }).message).toMatch(
      /takes at most 3 value\(s\), got 4/,
    );
    expect(refused({ commands: ['ls'], disks: ['{}', '{}', '{}'] }).message).toMatch(
      /"disks" .* takes at most 2 value\(s\), got 3/,
    );
  });

  it('treats inherited names as unknown parameters, not as definitions', () => {
    const supplied = JSON.parse('{"commands":["ls"],"__proto__":["x"]}') as Record<
      string,
      string[]
    >;
    expect(refusal(() => validateParameterValues(declared, supplied, 'D')).message).toMatch(
      /"__proto__" is not defined/,
    );
    expect(refused({ commands: ['ls'], constructor: ['x'] }).code).toBe('InvalidParameters');
  });
});
