// interactive_shell tasks to shell-session plans: AWS's {{ name }} substitution rules (§8.2),
// session types, RunAs inputs, shell profile, separate output streams and refused documents.

import type { AgentTaskPayload, JsonObject, JsonValue } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  SessionDocumentError,
  planShellSession,
  resolveParameters,
  substitute,
} from '../src/index.js';

function task(
  documentContent: JsonObject,
  extra: Partial<AgentTaskPayload> = {},
): AgentTaskPayload {
  return { sessionId: 's', documentName: 'Doc', documentContent, parameters: {}, ...extra };
}

describe('substitute', () => {
  const parameters = new Map<string, JsonValue>([
    ['command', 'echo hi'],
    ['list', ['a', 'b']],
    ['port', '22'],
    ['dollar', '$$HOME'],
    ['loop', '{{ command }}'],
  ]);

  it.each([
    ['{{ command }}', 'echo hi'],
    ['{{command}}', 'echo hi'],
    ['{{   port  }}', '22'],
    ['run: {{ command }} on {{ port }}', 'run: echo hi on 22'],
    ['{{ list }}', ['a', 'b']],
    ['items {{ list }}', 'items ["a","b"]'],
    ['{{ unknown }} stays', '{{ unknown }} stays'],
    ['{{ loop }}', '{{ command }}'],
    ['x {{ loop }}', 'x {{ command }}'],
    ['{{ dollar }}', '$$HOME'],
    ['echo {{ dollar }}', 'echo $HOME'],
  ])('%j → %j', (input, output) => {
    expect(substitute(input, parameters)).toEqual(output);
  });

  it('walks objects and arrays and keeps __proto__ a plain key', () => {
    const input = JSON.parse(
      '{"a":["{{ port }}",{"b":"{{ command }}"}],"__proto__":{"x":"{{ port }}"},"n":1,"t":true,"z":null}',
    ) as JsonObject;
    const output = substitute(input, parameters) as JsonObject;
    expect(output).toEqual(
      JSON.parse('{"a":["22",{"b":"echo hi"}],"__proto__":{"x":"22"},"n":1,"t":true,"z":null}'),
    );
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
  });

  it('fills missing parameters from the document defaults and drops invalid names', () => {
    const document: JsonObject = {
      parameters: {
        command: { type: 'String', default: 'uptime' },
        port: { type: 'String', default: '80' },
        'bad-name': { default: 'x' },
      },
    };
    const resolved = resolveParameters(document, { port: '443', 'also.bad': 'y' });
    expect([...resolved]).toEqual([
      ['command', 'uptime'],
      ['port', '443'],
    ]);
  });
});

describe('planShellSession', () => {
  it('plans a Standard_Stream shell with its profile; as ssm-user when the agent is root', () => {
    const document: JsonObject = {
      schemaVersion: '1.0',
      sessionType: 'Standard_Stream',
      inputs: { runAsEnabled: false, shellProfile: { linux: 'cd /tmp', windows: '' } },
    };
    expect(planShellSession(task(document), false)).toEqual({
      sessionType: 'Standard_Stream',
      runAs: { createIfMissing: false },
      shellProfile: { linux: 'cd /tmp' },
    });
    expect(planShellSession(task(document), true).runAs).toEqual({
      user: 'ssm-user',
      createIfMissing: true,
    });
  });

  it('applies runAsEnabled ("true" too), the default user and the RunAsUser override', () => {
    const document: JsonObject = {
      schemaVersion: '1.0',
      sessionType: 'Standard_Stream',
      inputs: { runAsEnabled: 'true', runAsDefaultUser: 'alice' },
    };
    expect(planShellSession(task(document), true).runAs).toEqual({
      user: 'alice',
      createIfMissing: false,
    });
    expect(planShellSession(task(document, { runAsUser: 'bob' }), true).runAs).toEqual({
      user: 'bob',
      createIfMissing: false,
    });
  });

  it('plans InteractiveCommands with the command substituted; runAsElevated runs as the agent', () => {
    const document: JsonObject = {
      schemaVersion: '1.0',
      sessionType: 'InteractiveCommands',
      parameters: { command: { type: 'String' } },
      properties: { linux: { commands: '{{ command }}', runAsElevated: true } },
    };
    expect(
      planShellSession(task(document, { parameters: { command: 'top -b -n1' } }), true),
    ).toEqual({
      sessionType: 'InteractiveCommands',
      command: 'top -b -n1',
      runAs: { createIfMissing: false },
    });
  });

  it('plans NonInteractiveCommands with separate output streams and list commands', () => {
    const document: JsonObject = {
      schemaVersion: '1.0',
      sessionType: 'NonInteractiveCommands',
      parameters: { commands: { type: 'StringList' } },
      properties: {
        linux: {
          commands: '{{ commands }}',
          separateOutputStream: true,
          stdOutSeparatorPrefix: 'OUT:',
          stdErrSeparatorPrefix: 'ERR:',
        },
      },
    };
    const plan = planShellSession(
      task(document, { parameters: { commands: ['id', 'pwd'] } }),
      false,
    );
    expect(plan).toMatchObject({
      sessionType: 'NonInteractiveCommands',
      command: 'id\npwd',
      separateOutputStream: { stdoutPrefix: 'OUT:', stderrPrefix: 'ERR:' },
    });
  });

  it.each([
    [{ schemaVersion: '2.2', sessionType: 'Standard_Stream' }, /schemaVersion "2.2"/],
    [{ schemaVersion: '1.0', sessionType: 'Port' }, /session type "Port" is not supported/],
    [{ schemaVersion: '1.0' }, /session type null/],
    [
      { schemaVersion: '1.0', sessionType: 'Standard_Stream', inputs: { kmsKeyId: 'alias/x' } },
      /KMS/,
    ],
    [
      {
        schemaVersion: '1.0',
        sessionType: 'InteractiveCommands',
        properties: { linux: { commands: 3 } },
      },
      /commands must be/,
    ],
  ] as [JsonObject, RegExp][])('refuses %j', (document, message) => {
    expect(() => planShellSession(task(document), false)).toThrow(SessionDocumentError);
    expect(() => planShellSession(task(document), false)).toThrow(message);
  });
});
