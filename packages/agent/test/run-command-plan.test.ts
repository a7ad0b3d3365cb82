// The pure half of Run Command: the SendCommand payload as parsed from agent_job Content
// (ssm-wire §7.2), `{{ name }}` interpolation exactly as §8.2 states it, and the plan AWS's
// agent would make of a document — which steps run with which inputs, which are skipped or
// failed, and their exit conditions.

import {
  CodedError,
  encodeGoJson,
  encodeSendCommandContent,
  interpolateParameters,
  withParameterDefaults,
  type JsonObject,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIMEOUT_SECONDS,
  DocumentInvalidError,
  parseScriptInput,
  parseSendCommandPayload,
  planCommandDocument,
  validateExecutionTimeout,
  type PlannedStep,
} from '../src/index.js';

/** AWS-RunShellScript as AWS publishes it: a schema 1.2 document. */
const AWS_RUN_SHELL_SCRIPT: JsonObject = {
  schemaVersion: '1.2',
  description: 'Run a shell script or specify the commands to run.',
  parameters: {
    commands: { type: 'StringList', description: '(Required) commands', minItems: 1 },
    workingDirectory: { type: 'String', default: '', description: '(Optional) directory' },
    executionTimeout: { type: 'String', default: '3600', description: '(Optional) seconds' },
  },
  runtimeConfig: {
    'aws:runShellScript': {
      properties: [
        {
          id: '0.aws:runShellScript',
          runCommand: '{{ commands }}',
          workingDirectory: '{{ workingDirectory }}',
          timeoutSeconds: '{{ executionTimeout }}',
        },
      ],
    },
  },
};

function mainSteps(steps: JsonObject[], parameters: JsonObject = {}): JsonObject {
  return { schemaVersion: '2.2', description: 'test', parameters, mainSteps: steps };
}

function shell(name: string, runCommand: unknown, extra: JsonObject = {}): JsonObject {
  return {
    action: 'aws:runShellScript',
    name,
    inputs: { runCommand: runCommand as string[] },
    ...extra,
  };
}

function run(step: PlannedStep) {
  if (step.decision.kind !== 'run') throw new Error(`expected a run, got ${step.decision.kind}`);
  return step.decision.inputs;
}

describe('parseSendCommandPayload', () => {
  it('reads the payload of the captured send-command (§7.2, §12.2)', () => {
    const payload = parseSendCommandPayload(
      encodeSendCommandContent({
        CommandId: '11111111-2222-3333-4444-555555555555',
        DocumentName: 'AWS-RunShellScript',
        DocumentContent: AWS_RUN_SHELL_SCRIPT,
        Parameters: { commands: ['df -h'], workingDirectory: '', executionTimeout: '3600' },
        OutputS3BucketName: 'bucket',
        OutputS3KeyPrefix: 'prefix',
        CloudWatchLogGroupName: '',
        CloudWatchOutputEnabled: 'true',
      }),
    );
    expect(payload).toMatchObject({
      commandId: '11111111-2222-3333-4444-555555555555',
      documentName: 'AWS-RunShellScript',
      parameters: { commands: ['df -h'], workingDirectory: '', executionTimeout: '3600' },
      outputS3BucketName: 'bucket',
      outputS3KeyPrefix: 'prefix',
      cloudWatchOutputEnabled: true,
    });
    expect(payload.documentContent).toEqual(AWS_RUN_SHELL_SCRIPT);
  });

  it('reads missing optional keys as Go zero values', () => {
    const payload = parseSendCommandPayload(JSON.stringify({ DocumentContent: {} }));
    expect(payload).toMatchObject({
      commandId: '',
      parameters: {},
      outputS3BucketName: '',
      cloudWatchOutputEnabled: false,
    });
  });

  it.each([
    ['not JSON', '{'],
    ['no document', '{"CommandId":"x"}'],
    ['a document that is a string', '{"DocumentContent":"x"}'],
    ['parameters that are a list', '{"DocumentContent":{},"Parameters":[]}'],
    ['CloudWatchOutputEnabled "yes"', '{"DocumentContent":{},"CloudWatchOutputEnabled":"yes"}'],
  ])('refuses %s with PayloadInvalid', (_, content) => {
    expect(() => parseSendCommandPayload(content)).toThrow(CodedError);
  });
});

describe('parameter interpolation (§8.2)', () => {
  const values = withParameterDefaults(
    {
      parameters: {
        commands: { type: 'StringList' },
        greeting: { type: 'String', default: 'hello' },
      },
    },
    { commands: ['echo a', 'echo b'], name: 'world', 'bad-name': 'x' },
  );

  it('fills defaults for missing parameters and drops invalid names', () => {
    expect(Object.fromEntries(values)).toEqual({
      commands: ['echo a', 'echo b'],
      name: 'world',
      greeting: 'hello',
    });
  });

  it('leaves a placeholder of a declared parameter without default or value as written', () => {
    const none = withParameterDefaults({ parameters: { x: { type: 'String' } } }, {});
    expect(interpolateParameters('a {{ x }}', none)).toBe('a {{ x }}');
  });

  it('replaces a string that is exactly one reference with the value, keeping its type', () => {
    expect(interpolateParameters('{{ commands }}', values)).toEqual(['echo a', 'echo b']);
    expect(interpolateParameters('{{commands}}', values)).toEqual(['echo a', 'echo b']);
    expect(interpolateParameters('{{\t commands \n}}', values)).toEqual(['echo a', 'echo b']);
  });

  it('replaces references inside text, non-strings as Go JSON, in one pass', () => {
    expect(interpolateParameters('say {{ greeting }}, {{name}}!', values)).toBe(
      'say hello, world!',
    );
    expect(interpolateParameters('run {{ commands }}', values)).toBe('run ["echo a","echo b"]');
    const recursive = withParameterDefaults({}, { a: '{{ b }}', b: 'x' });
    expect(interpolateParameters('{{ a }}-{{ b }}', recursive)).toBe('{{ b }}-x');
  });

  it('leaves unknown names, other spacing and non-string values alone', () => {
    expect(interpolateParameters('{{ unknown }} {{ name', values)).toBe('{{ unknown }} {{ name');
    // \v is not a space for Go's RE2.
    expect(interpolateParameters('{{\vname}}', values)).toBe('{{\vname}}');
    expect(interpolateParameters(42, values)).toBe(42);
    expect(interpolateParameters(null, values)).toBeNull();
  });

  it('walks arrays and object values but never keys', () => {
    expect(
      interpolateParameters({ '{{ name }}': ['{{ name }}', { deep: 'x{{ greeting }}' }] }, values),
    ).toEqual({ '{{ name }}': ['world', { deep: 'xhello' }] });
  });

  it('turns $$ into $ in substituted text (the legacy rule)', () => {
    const dollars = withParameterDefaults({}, { price: 'a$$b' });
    expect(interpolateParameters('x {{ price }}', dollars)).toBe('x a$b');
    expect(interpolateParameters('{{ price }}', dollars)).toBe('a$$b');
  });

  it('encodes JSON as Go does: sorted keys, HTML characters escaped', () => {
    expect(encodeGoJson({ b: 1, a: ['<&>'], c: null, d: true })).toBe(
      '{"a":["\\u003c\\u0026\\u003e"],"b":1,"c":null,"d":true}',
    );
  });
});

describe('planCommandDocument', () => {
  it('plans AWS-RunShellScript (schema 1.2) with its parameters', () => {
    const plan = planCommandDocument(AWS_RUN_SHELL_SCRIPT, {
      commands: ['echo hi', 'id'],
      executionTimeout: '120',
    });
    expect(plan.steps).toHaveLength(1);
    const [step] = plan.steps;
    expect(step).toMatchObject({
      pluginId: 'aws:runShellScript',
      pluginName: 'aws:runShellScript',
      stepName: '0.awsrunShellScript',
    });
    expect(run(step!)).toEqual([
      {
        id: '0.aws:runShellScript',
        lines: ['echo hi', 'id'],
        workingDirectory: '',
        timeoutSeconds: 120,
        environment: {},
      },
    ]);
  });

  it('plans schema 2.2 steps in order with their exit conditions', () => {
    const plan = planCommandDocument(
      mainSteps([
        shell('first', ['true'], { inputs: { runCommand: ['true'], onFailure: 'exit' } }),
        shell('second', '{{ cmd }}', { isEnd: true }),
        shell('last', ['echo done'], { inputs: { runCommand: ['x'], finallyStep: true } }),
      ]),
      { cmd: 'echo one' },
    );
    expect(plan.steps.map((step) => [step.pluginId, step.control])).toEqual([
      ['first', { onFailure: 'exit', onSuccess: undefined, finallyStep: false, isEnd: false }],
      ['second', { onFailure: undefined, onSuccess: undefined, finallyStep: false, isEnd: true }],
      ['last', { onFailure: undefined, onSuccess: undefined, finallyStep: true, isEnd: false }],
    ]);
    expect(run(plan.steps[1]!)[0]!.lines).toEqual(['echo one']);
  });

  it('reads step-level onFailure when the inputs do not say', () => {
    const plan = planCommandDocument(
      mainSteps([shell('a', ['x'], { onFailure: 'successAndExit' })]),
      {},
    );
    expect(plan.steps[0]!.control.onFailure).toBe('successAndExit');
  });

  it('skips a Windows plugin and a step for another platform, fails unknown plugins (2.2)', () => {
    const plan = planCommandDocument(
      mainSteps([
        { action: 'aws:runPowerShellScript', name: 'win', inputs: { runCommand: ['dir'] } },
        shell('mac', ['x'], { precondition: { StringEquals: ['platformType', 'MacOS'] } }),
        shell('linux', ['x'], { precondition: { StringEquals: ['platformType', 'Linux'] } }),
        { action: 'aws:downloadContent', name: 'dl', inputs: {} },
        shell('odd', ['x'], { precondition: { StringLike: ['a', 'b'] } }),
      ]),
      {},
    );
    expect(plan.steps.map((step) => step.decision.kind)).toEqual([
      'skip',
      'skip',
      'run',
      'fail',
      'fail',
    ]);
    expect(plan.steps[1]!.decision).toMatchObject({
      message: expect.stringContaining('unsatisfied preconditions') as unknown,
    });
  });

  it('evaluates a parameter precondition after interpolation', () => {
    const document = mainSteps(
      [shell('only-prod', ['x'], { precondition: { StringEquals: ['{{ env }}', 'prod'] } })],
      { env: { type: 'String', default: 'dev' } },
    );
    expect(planCommandDocument(document, {}).steps[0]!.decision.kind).toBe('skip');
    expect(planCommandDocument(document, { env: 'prod' }).steps[0]!.decision.kind).toBe('run');
  });

  it('fails preconditions in documents older than 2.2', () => {
    const plan = planCommandDocument(
      {
        schemaVersion: '2.0',
        mainSteps: [
          shell('a', ['x'], { precondition: { StringEquals: ['platformType', 'Linux'] } }),
        ],
      },
      {},
    );
    expect(plan.steps[0]!.decision).toMatchObject({ kind: 'fail' });
  });

  it('fails a step whose inputs cannot be read, without failing the document', () => {
    const plan = planCommandDocument(
      mainSteps([shell('bad', [1, 2]), shell('good', ['echo ok'])]),
      {},
    );
    expect(plan.steps[0]!.decision).toMatchObject({
      kind: 'fail',
      message: expect.stringContaining('Invalid format in plugin properties') as unknown,
    });
    expect(plan.steps[1]!.decision.kind).toBe('run');
  });

  it.each([
    ['an unsupported schema version', { schemaVersion: '3.0', mainSteps: [] }],
    ['no schema version', { mainSteps: [] }],
    ['no steps', { schemaVersion: '2.2', mainSteps: [] }],
    ['a 1.2 document without runtimeConfig', { schemaVersion: '1.2' }],
    ['a step without a name', { schemaVersion: '2.2', mainSteps: [{ action: 'x' }] }],
    [
      'two steps of the same name',
      { schemaVersion: '2.2', mainSteps: [shell('a', ['x']), shell('a', ['y'])] },
    ],
    [
      'a malformed precondition',
      {
        schemaVersion: '2.2',
        mainSteps: [shell('a', ['x'], { precondition: { StringEquals: 'x' } })],
      },
    ],
  ])('refuses %s', (_, document) => {
    expect(() => planCommandDocument(document as JsonObject, {})).toThrow(DocumentInvalidError);
  });
});

describe('runShellScript inputs', () => {
  it('reads keys case-insensitively and flattens nested command lists', () => {
    expect(
      parseScriptInput({
        RunCommand: ['a', ['b', 'c']],
        WORKINGDIRECTORY: '/tmp',
        timeoutseconds: 10,
        environment: { A: '1' },
      }),
    ).toEqual({
      id: '',
      lines: ['a', 'b', 'c'],
      workingDirectory: '/tmp',
      timeoutSeconds: 10,
      environment: { A: '1' },
    });
  });

  it('accepts a single string as one line and no command at all', () => {
    expect(parseScriptInput({ runCommand: 'echo x' })).toMatchObject({ lines: ['echo x'] });
    expect(parseScriptInput({})).toMatchObject({ lines: [], timeoutSeconds: 3600 });
  });

  it.each([
    [{ runCommand: 5 }],
    [{ runCommand: ['a', null] }],
    [{ workingDirectory: 3 }],
    [{ environment: { A: 1 } }],
    ['not an object'],
  ])('refuses %j', (inputs) => {
    expect(typeof parseScriptInput(inputs as JsonObject)).toBe('string');
  });

  it.each([
    ['3600', 3600],
    ['5', 5],
    [172800, 172800],
    ['10.9', 10],
    [30.7, 30],
    ['4', DEFAULT_TIMEOUT_SECONDS],
    ['172801', DEFAULT_TIMEOUT_SECONDS],
    ['soon', DEFAULT_TIMEOUT_SECONDS],
    ['', DEFAULT_TIMEOUT_SECONDS],
    [null, DEFAULT_TIMEOUT_SECONDS],
    [undefined, DEFAULT_TIMEOUT_SECONDS],
  ])('takes timeoutSeconds %j as %d (AWS ValidateExecutionTimeout)', (value, seconds) => {
    expect(validateExecutionTimeout(value)).toBe(seconds);
  });
});
