// Control-channel payloads (ssm-wire §6.4-6.6, §7.2): shapes from the spec and the agent's Go
// structs, with their mixed casing (PascalCase MGS payloads, camelCase agent_job_* replies).

import {
  agentJobTopicKind,
  AgentJobAckStatus,
  AgentJobTopic,
  createAgentJobId,
  encodeAgentJobAck,
  encodeAgentJobPayload,
  encodeAgentJobReply,
  encodeAgentJobReplyAck,
  encodeAgentTaskAcknowledge,
  encodeAgentTaskComplete,
  encodeAgentTaskPayload,
  encodeCancelCommandContent,
  encodeInteractiveShellPayload,
  encodeSendCommandContent,
  parseAgentJobAck,
  parseAgentJobId,
  parseAgentJobPayload,
  parseAgentJobReply,
  parseAgentJobReplyAck,
  parseAgentTaskAcknowledge,
  parseAgentTaskComplete,
  parseAgentTaskPayload,
  parseCancelCommandContent,
  parseInteractiveShellPayload,
  parseSendCommandContent,
  parseSendReplyContent,
  type AgentTaskComplete,
  type AgentTaskPayload,
} from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  expectFieldsEnforced,
  invalid,
  NOT_A_JSON_OBJECT,
  text,
  utf8,
  WRONG,
} from './payloads-helpers.js';

const JOB_ID = 'aws.ssm.11111111-2222-3333-4444-555555555555.i-0123456789abcdef0';
const MESSAGE_ID = 'e654b05e-e422-48d0-b967-0dfd5633a873';

const TASK: AgentTaskPayload = {
  sessionId: 'x-0a1b2c3d4e5f67890',
  documentName: 'SSM-SessionManagerRunShell',
  documentContent: {
    schemaVersion: '1.0',
    description: 'Document to hold regional settings for Session Manager',
    sessionType: 'Standard_Stream',
    inputs: { s3BucketName: '', runAsEnabled: false, runAsDefaultUser: '' },
  },
  parameters: { portNumber: '80', commands: ['df -h', 'uptime'] },
  runAsUser: 'ec2-user',
  sessionOwner: 'arn:aws:iam::111122223333:user/alice',
};

describe('interactive_shell (MGSPayload) and its AgentTaskPayload content', () => {
  it('encodes PascalCase keys in AWS order with Content double-encoded', () => {
    const content = encodeAgentTaskPayload(TASK);
    const json = text(
      encodeInteractiveShellPayload({ content, taskId: TASK.sessionId, topic: 'StartSession' }),
    );
    expect(json).toBe(
      `{"Content":${JSON.stringify(content)},"TaskId":"x-0a1b2c3d4e5f67890","Topic":"StartSession","SchemaVersion":1}`,
    );
    const payload = parseInteractiveShellPayload(utf8(json));
    expect(payload).toEqual({
      content,
      taskId: TASK.sessionId,
      topic: 'StartSession',
      schemaVersion: 1,
    });
    expect(parseAgentTaskPayload(payload.content)).toEqual(TASK);
  });

  it('parses content as MGS sends it, ignoring extra keys such as DataChannelToken', () => {
    const content = JSON.stringify({
      SessionId: 's',
      DocumentName: 'AWS-StartPortForwardingSession',
      DocumentContent: { schemaVersion: '1.0', sessionType: 'Port' },
      Parameters: { portNumber: '80', localPortNumber: ['56789'] },
      DataChannelId: 's',
      DataChannelToken: 'tok',
    });
    const task = parseAgentTaskPayload(content);
    expect(task).toEqual({
      sessionId: 's',
      documentName: 'AWS-StartPortForwardingSession',
      documentContent: { schemaVersion: '1.0', sessionType: 'Port' },
      parameters: { portNumber: '80', localPortNumber: ['56789'] },
    });
    expect(task).not.toHaveProperty('runAsUser');
  });

  it('keeps a parameter named __proto__ as data', () => {
    const task = parseAgentTaskPayload(
      '{"SessionId":"s","DocumentName":"d","DocumentContent":{},"Parameters":{"__proto__":"x","constructor":["y"]}}',
    );
    expect(Object.keys(task.parameters)).toEqual(['__proto__', 'constructor']);
    expect(task.parameters['__proto__']).toBe('x');
    expect(Object.getPrototypeOf(task.parameters)).toBe(Object.prototype);
  });

  it('enforces the MGSPayload and AgentTaskPayload fields', () => {
    const valid = { Content: '{}', TaskId: 't', Topic: 'x', SchemaVersion: 1 };
    expectFieldsEnforced((json) => parseInteractiveShellPayload(utf8(json)), valid, [
      { key: 'Content', wrong: [...WRONG.string, { SessionId: 's' }] },
      { key: 'TaskId', wrong: WRONG.string },
      { key: 'Topic', wrong: WRONG.string },
      { key: 'SchemaVersion', wrong: WRONG.integer },
    ]);
    expectFieldsEnforced(parseAgentTaskPayload, JSON.parse(encodeAgentTaskPayload(TASK)), [
      { key: 'SessionId', wrong: WRONG.string },
      { key: 'DocumentName', wrong: WRONG.string },
      { key: 'DocumentContent', wrong: WRONG.object },
      {
        key: 'Parameters',
        wrong: [...WRONG.object, { a: 1 }, { a: null }, { a: [1] }, { a: {} }, { a: true }],
      },
      { key: 'RunAsUser', wrong: WRONG.string, optional: true },
      { key: 'SessionOwner', wrong: WRONG.string, optional: true },
    ]);
    invalid(
      () =>
        parseAgentTaskPayload(
          '{"SessionId":"s","DocumentName":"d","DocumentContent":{},"Parameters":{"p":["a",2]}}',
        ),
      'AgentTaskPayload.Parameters.p[1] must be a string',
    );
    for (const [, bytes] of NOT_A_JSON_OBJECT) {
      invalid(() => parseInteractiveShellPayload(bytes));
      invalid(() => parseAgentTaskPayload(text(bytes)));
    }
  });
});

describe('agent_job and its content', () => {
  const sendCommand = {
    CommandId: '11111111-2222-3333-4444-555555555555',
    DocumentName: 'AWS-RunShellScript',
    DocumentContent: { schemaVersion: '2.2', mainSteps: [] },
    Parameters: { commands: ['df -h'], workingDirectory: '', executionTimeout: '3600' },
    OutputS3BucketName: '',
    OutputS3KeyPrefix: '',
    CloudWatchLogGroupName: '',
    CloudWatchOutputEnabled: 'false',
  };

  it('encodes PascalCase keys in AWS order and round-trips', () => {
    const content = encodeSendCommandContent(sendCommand);
    const json = text(
      encodeAgentJobPayload({ content, jobId: JOB_ID, topic: AgentJobTopic.SendCommand }),
    );
    expect(json).toBe(
      `{"Content":${JSON.stringify(JSON.stringify(sendCommand))},"JobId":"${JOB_ID}","Topic":"aws.ssm.sendCommand","SchemaVersion":1}`,
    );
    const job = parseAgentJobPayload(utf8(json));
    expect(job).toEqual({ content, jobId: JOB_ID, topic: 'aws.ssm.sendCommand', schemaVersion: 1 });
    expect(parseSendCommandContent(job.content)).toEqual(sendCommand);
    expect(agentJobTopicKind(job.topic)).toBe(AgentJobTopic.SendCommand);
  });

  it('carries the cancel payload', () => {
    const content = encodeCancelCommandContent({ cancelMessageId: JOB_ID });
    expect(content).toBe(`{"CancelMessageId":"${JOB_ID}"}`);
    expect(parseCancelCommandContent(content)).toEqual({ cancelMessageId: JOB_ID });
    expectFieldsEnforced(parseCancelCommandContent, { CancelMessageId: JOB_ID }, [
      { key: 'CancelMessageId', wrong: [...WRONG.string, ''] },
    ]);
    expect(() => encodeCancelCommandContent({ cancelMessageId: '' })).toThrow(RangeError);
  });

  it('classifies topics by prefix as the agent does', () => {
    expect(agentJobTopicKind('aws.ssm.sendCommand.us.east.1.1')).toBe('aws.ssm.sendCommand');
    expect(agentJobTopicKind('aws.ssm.cancelCommand')).toBe('aws.ssm.cancelCommand');
    expect(agentJobTopicKind('aws.ssm.send')).toBeUndefined();
    expect(agentJobTopicKind('AWS.SSM.sendCommand')).toBeUndefined();
  });

  it('builds and splits job ids', () => {
    expect(createAgentJobId('11111111-2222-3333-4444-555555555555', 'i-0123456789abcdef0')).toBe(
      JOB_ID,
    );
    expect(parseAgentJobId(JOB_ID)).toEqual({
      commandId: '11111111-2222-3333-4444-555555555555',
      instanceId: 'i-0123456789abcdef0',
    });
    for (const bad of [
      '',
      'aws.ssm',
      'aws.ssm.x',
      'aws.ssm..i',
      'aws.ssm.c.',
      'x.ssm.c.i',
      'aws.x.c.i',
    ]) {
      invalid(() => parseAgentJobId(bad), 'JobId');
    }
    for (const [c, i] of [
      ['', 'i'],
      ['c', ''],
      ['c.d', 'i'],
      ['c', 'i.j'],
    ]) {
      expect(() => createAgentJobId(c!, i!)).toThrow(RangeError);
    }
  });

  it('enforces the agent_job fields and content shapes', () => {
    expectFieldsEnforced(
      (json) => parseAgentJobPayload(utf8(json)),
      { Content: '{}', JobId: JOB_ID, Topic: 'aws.ssm.sendCommand', SchemaVersion: 1 },
      [
        { key: 'Content', wrong: [...WRONG.string, {}] },
        { key: 'JobId', wrong: WRONG.string },
        { key: 'Topic', wrong: WRONG.string },
        { key: 'SchemaVersion', wrong: WRONG.integer },
      ],
    );
    for (const [, bytes] of NOT_A_JSON_OBJECT) {
      invalid(() => parseAgentJobPayload(bytes));
      invalid(() => parseSendCommandContent(text(bytes)));
      invalid(() => parseCancelCommandContent(text(bytes)));
      invalid(() => parseSendReplyContent(text(bytes)));
    }
  });
});

describe('agent_job_ack', () => {
  // §6.6, with a UUID for the acknowledged MessageId.
  const CAPTURED = `{"jobId":"${JOB_ID}","acknowledgedMessageId":"${MESSAGE_ID}","createdDate":"2026-11-26T19:01:33.230Z","statusCode":"200","errorMessage":""}`;

  it('parses and encodes the camelCase payload byte for byte', () => {
    const ack = parseAgentJobAck(utf8(CAPTURED));
    expect(ack).toEqual({
      jobId: JOB_ID,
      acknowledgedMessageId: MESSAGE_ID,
      createdDate: '2026-11-26T19:01:33.230Z',
      statusCode: AgentJobAckStatus.Successful,
      errorMessage: '',
    });
    expect(text(encodeAgentJobAck(ack))).toBe(CAPTURED);
  });

  it('knows the documented status codes', () => {
    expect(Object.values(AgentJobAckStatus)).toEqual([
      '200',
      '51401',
      '51402',
      '51403',
      '51404',
      '51405',
      '51406',
      '51407',
      '51408',
      '51499',
    ]);
    const failed = {
      ...parseAgentJobAck(utf8(CAPTURED)),
      statusCode: AgentJobAckStatus.AgentJobMessageParseError,
      errorMessage: 'AgentJobMessageParseError',
    };
    expect(parseAgentJobAck(encodeAgentJobAck(failed))).toEqual(failed);
  });

  it('enforces every field and its casing', () => {
    expectFieldsEnforced((json) => parseAgentJobAck(utf8(json)), JSON.parse(CAPTURED), [
      { key: 'jobId', wrong: WRONG.string },
      { key: 'acknowledgedMessageId', wrong: [...WRONG.string, 'x'] },
      { key: 'createdDate', wrong: [...WRONG.string, 1795719693230] },
      { key: 'statusCode', wrong: [...WRONG.string, 200, '', 'OK', '2 00', '1234567890'] },
      { key: 'errorMessage', wrong: WRONG.string },
    ]);
    invalid(
      () => parseAgentJobAck(utf8(CAPTURED.replace('"jobId"', '"JobId"'))),
      'AgentJobAck.jobId is missing',
    );
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseAgentJobAck(bytes));
    const ack = parseAgentJobAck(utf8(CAPTURED));
    expect(() => encodeAgentJobAck({ ...ack, statusCode: 'OK' })).toThrow(RangeError);
    expect(() => encodeAgentJobAck({ ...ack, acknowledgedMessageId: 'x' })).toThrow(RangeError);
  });
});

describe('agent_job_reply and agent_job_reply_ack', () => {
  const reply = {
    additionalInfo: {
      agent: { lang: 'en-US', name: 'amazon-ssm-agent', ver: '3.3.987.0' },
      runId: '',
    },
    documentStatus: 'InProgress',
    documentTraceOutput: '',
    runtimeStatus: null,
  };

  it('encodes camelCase keys in the agent order and round-trips', () => {
    const content = JSON.stringify(reply);
    const json = text(
      encodeAgentJobReply({ jobId: JOB_ID, content, topic: 'aws.ssm.sendCommand' }),
    );
    expect(json).toBe(
      `{"schemaVersion":1,"jobId":"${JOB_ID}","content":${JSON.stringify(content)},"topic":"aws.ssm.sendCommand"}`,
    );
    const parsed = parseAgentJobReply(utf8(json));
    expect(parsed).toEqual({
      schemaVersion: 1,
      jobId: JOB_ID,
      content,
      topic: 'aws.ssm.sendCommand',
    });
    expect(parseSendReplyContent(parsed.content)).toEqual(reply);
    expectFieldsEnforced((j) => parseAgentJobReply(utf8(j)), JSON.parse(json), [
      { key: 'schemaVersion', wrong: WRONG.integer },
      { key: 'jobId', wrong: WRONG.string },
      { key: 'content', wrong: [...WRONG.string, reply] },
      { key: 'topic', wrong: WRONG.string },
    ]);
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseAgentJobReply(bytes));
  });

  it('acks a reply with jobId and acknowledgedMessageId', () => {
    const json = text(encodeAgentJobReplyAck({ jobId: JOB_ID, acknowledgedMessageId: MESSAGE_ID }));
    expect(json).toBe(`{"jobId":"${JOB_ID}","acknowledgedMessageId":"${MESSAGE_ID}"}`);
    expect(parseAgentJobReplyAck(utf8(json))).toEqual({
      jobId: JOB_ID,
      acknowledgedMessageId: MESSAGE_ID,
    });
    expectFieldsEnforced((j) => parseAgentJobReplyAck(utf8(j)), JSON.parse(json), [
      { key: 'jobId', wrong: WRONG.string },
      { key: 'acknowledgedMessageId', wrong: [...WRONG.string, 'not-a-uuid'] },
    ]);
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseAgentJobReplyAck(bytes));
    expect(() => encodeAgentJobReplyAck({ jobId: JOB_ID, acknowledgedMessageId: 'x' })).toThrow(
      RangeError,
    );
  });
});

describe('agent_task_complete and agent_task_acknowledge', () => {
  // §6.5 with values filled in; keys in the agent's struct order.
  const COMPLETE =
    '{"SchemaVersion":1,"TaskId":"x-0a1b2c3d4e5f67890","Topic":"agent_task_complete","FinalTaskStatus":"Success","IsRoutingFailure":false,"AwsAccountId":"","InstanceId":"i-0123456789abcdef0","Output":"","S3Bucket":"logs","S3UrlSuffix":"x-0a1b2c3d4e5f67890.log","CwlGroup":"grp","CwlStream":"x-0a1b2c3d4e5f67890","RetryNumber":0}';
  const VALUE: AgentTaskComplete = {
    schemaVersion: 1,
    taskId: 'x-0a1b2c3d4e5f67890',
    topic: 'agent_task_complete',
    finalTaskStatus: 'Success',
    isRoutingFailure: false,
    awsAccountId: '',
    instanceId: 'i-0123456789abcdef0',
    output: '',
    s3Bucket: 'logs',
    s3UrlSuffix: 'x-0a1b2c3d4e5f67890.log',
    cwlGroup: 'grp',
    cwlStream: 'x-0a1b2c3d4e5f67890',
    retryNumber: 0,
  };

  it('parses and encodes agent_task_complete byte for byte', () => {
    expect(parseAgentTaskComplete(utf8(COMPLETE))).toEqual(VALUE);
    expect(text(encodeAgentTaskComplete(VALUE))).toBe(COMPLETE);
    const failed = {
      ...VALUE,
      finalTaskStatus: 'Failed',
      output: 'shell exited: 1',
      retryNumber: 2,
      isRoutingFailure: true,
    };
    expect(parseAgentTaskComplete(encodeAgentTaskComplete(failed))).toEqual(failed);
  });

  it('enforces every agent_task_complete field', () => {
    const str = WRONG.string;
    expectFieldsEnforced((json) => parseAgentTaskComplete(utf8(json)), JSON.parse(COMPLETE), [
      { key: 'SchemaVersion', wrong: WRONG.integer },
      ...[
        'TaskId',
        'Topic',
        'FinalTaskStatus',
        'AwsAccountId',
        'InstanceId',
        'Output',
        'S3Bucket',
        'S3UrlSuffix',
        'CwlGroup',
        'CwlStream',
      ].map((key) => ({ key, wrong: str })),
      { key: 'IsRoutingFailure', wrong: WRONG.boolean },
      { key: 'RetryNumber', wrong: [...WRONG.integer, 2 ** 31] },
    ]);
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseAgentTaskComplete(bytes));
    expect(() => encodeAgentTaskComplete({ ...VALUE, retryNumber: -1 })).toThrow(RangeError);
  });

  it('acknowledges with the MessageId of the agent_task_complete', () => {
    const json = text(
      encodeAgentTaskAcknowledge({
        messageId: MESSAGE_ID,
        taskId: 'x-0a1b2c3d4e5f67890',
        topic: 'agent_task_complete',
      }),
    );
    expect(json).toBe(
      `{"SchemaVersion":1,"MessageId":"${MESSAGE_ID}","TaskId":"x-0a1b2c3d4e5f67890","Topic":"agent_task_complete"}`,
    );
    expect(parseAgentTaskAcknowledge(utf8(json))).toEqual({
      schemaVersion: 1,
      messageId: MESSAGE_ID,
      taskId: 'x-0a1b2c3d4e5f67890',
      topic: 'agent_task_complete',
    });
    expectFieldsEnforced((j) => parseAgentTaskAcknowledge(utf8(j)), JSON.parse(json), [
      { key: 'SchemaVersion', wrong: WRONG.integer },
      { key: 'MessageId', wrong: [...WRONG.string, 'abc'] },
      { key: 'TaskId', wrong: WRONG.string },
      { key: 'Topic', wrong: WRONG.string },
    ]);
    for (const [, bytes] of NOT_A_JSON_OBJECT) invalid(() => parseAgentTaskAcknowledge(bytes));
    expect(() => encodeAgentTaskAcknowledge({ messageId: 'x', taskId: 't', topic: 't' })).toThrow(
      RangeError,
    );
    expect(() =>
      encodeAgentTaskAcknowledge({
        messageId: MESSAGE_ID,
        taskId: 't',
        topic: 't',
        schemaVersion: 0.5,
      }),
    ).toThrow(RangeError);
  });
});
