// SendCommand (ssm-wire §2.3, §12.2): runs a Command document on nodes named by InstanceIds or
// Targets. Authorized on every target node (with its tags as ssm:resourceTag/*) and on the
// document; answers once the command and one Pending invocation per node are stored.

import { CodedError, type JsonObjectReader } from '@openssm/protocol';
import {
  DOCUMENT_NAME_OR_ARN_PATTERN,
  DOCUMENT_VERSION_PATTERN,
  parseDocumentVersion,
} from '../documents/document-names.js';
import { MAX_CONCURRENCY_PATTERN, MAX_ERRORS_PATTERN } from '../services/command-status.js';
import type { SendCommandInput } from '../services/command-service.js';
import type { ResolvedTargets } from '../services/command-targets.js';
import { documentArn, instanceArn } from '../services/services.js';
import type {
  CloudWatchOutputConfig,
  CommandTarget,
  NotificationConfig,
} from '../storage/command-records.js';
import { BUCKET_NAME_PATTERN, isSafeObjectKey } from '../storage/objects/object-store.js';
import { commandOut, instanceIdList } from './command-shapes.js';
import { defineOperation } from './operation.js';
import { boundedString, optionalBoundedString, optionalInteger, reader } from './input.js';

/** Targets resolved while authorizing, for the same request's handler. */
const resolvedTargets = new WeakMap<SendCommandInput, ResolvedTargets>();

const NOTIFICATION_EVENTS = ['All', 'InProgress', 'Success', 'TimedOut', 'Cancelled', 'Failed'];

export const sendCommand = defineOperation({
  name: 'SendCommand',
  auth: 'sigv4',
  action: 'ssm:SendCommand',
  parse(body): SendCommandInput {
    const input = reader(body);
    const instanceIds = instanceIdList(input) ?? [];
    const targets = targetList(input);
    if (instanceIds.length > 0 === targets.length > 0) {
      throw new CodedError(
        'ValidationException',
        'Specify either InstanceIds or Targets (one of them, not both).',
      );
    }
    if (input.has('AlarmConfiguration')) {
      throw new CodedError('ValidationException', 'AlarmConfiguration is not supported.');
    }
    const documentVersion = optionalBoundedString(
      input,
      'DocumentVersion',
      1,
      128,
      DOCUMENT_VERSION_PATTERN,
    );
    const hashType = input.has('DocumentHashType')
      ? input.oneOf('DocumentHashType', ['Sha256', 'Sha1'] as const)
      : undefined;
    const serviceRoleArn = optionalBoundedString(input, 'ServiceRoleArn', 1, 2048) ?? '';
    if (serviceRoleArn !== '' && !/^arn:[a-z-]+:iam::[0-9]{12}:role\/.+$/.test(serviceRoleArn)) {
      throw new CodedError('InvalidRole', 'ServiceRoleArn must be the ARN of an IAM role.');
    }
    return {
      instanceIds,
      targets,
      documentName: boundedString(input, 'DocumentName', 3, 128, DOCUMENT_NAME_OR_ARN_PATTERN),
      documentVersion,
      choice:
        documentVersion === undefined
          ? {}
          : { documentVersion: parseDocumentVersion(documentVersion) },
      documentHash: optionalBoundedString(input, 'DocumentHash', 1, 256),
      documentHashType: hashType,
      timeoutSeconds: optionalInteger(input, 'TimeoutSeconds', 30, 2_592_000),
      comment: optionalBoundedString(input, 'Comment', 0, 100) ?? '',
      parameters: parameterMap(input),
      outputS3Region: optionalBoundedString(input, 'OutputS3Region', 3, 20) ?? '',
      outputS3BucketName: bucketName(input),
      outputS3KeyPrefix: keyPrefix(input),
      maxConcurrency:
        optionalBoundedString(input, 'MaxConcurrency', 1, 7, MAX_CONCURRENCY_PATTERN) ?? '50',
      maxErrors: optionalBoundedString(input, 'MaxErrors', 1, 7, MAX_ERRORS_PATTERN) ?? '0',
      serviceRoleArn,
      notificationConfig: notificationConfig(input),
      cloudWatchOutputConfig: cloudWatchOutputConfig(input),
    };
  },
  resource: (input, { services }) => documentArn(services.identity, input.documentName),
  authorization: async (input, { services }) => {
    const resolved = await services.commands.resolveTargets(input);
    resolvedTargets.set(input, resolved);
    return [
      ...resolved.nodes.map((node) => ({
        action: 'ssm:SendCommand',
        resource: instanceArn(services.identity, node.instanceId),
        context: Object.fromEntries(
          node.tags.map((tag) => [`ssm:resourceTag/${tag.key}`, tag.value]),
        ),
      })),
      ...resolved.unknownIds.map((id) => ({
        action: 'ssm:SendCommand',
        resource: instanceArn(services.identity, id),
      })),
      { action: 'ssm:SendCommand', resource: documentArn(services.identity, input.documentName) },
    ];
  },
  async handle(input, { services, principal, now }) {
    if (principal === undefined) throw new Error('SendCommand requires a signed caller');
    const resolved = resolvedTargets.get(input) ?? (await services.commands.resolveTargets(input));
    const command = await services.commands.send(input, resolved, principal, now);
    return { Command: commandOut(command, services.identity.region) };
  },
});

function targetList(input: JsonObjectReader): CommandTarget[] {
  if (!input.has('Targets')) return [];
  const items = input.objectArray('Targets');
  if (items.length > 5) throw input.fail('Targets', 'must hold at most 5 targets');
  return items.map((item) => {
    const key = boundedString(item, 'Key', 1, 163);
    const values = item.has('Values') ? item.stringArray('Values') : [];
    if (values.length > 50) throw item.fail('Values', 'must hold at most 50 values');
    return { key, values: [...values] };
  });
}

function parameterMap(input: JsonObjectReader): Record<string, readonly string[]> {
  const parameters: Record<string, readonly string[]> = {};
  if (!input.has('Parameters')) return parameters;
  for (const [name, value] of input.object('Parameters').entries()) {
    if (
      name.length < 1 ||
      name.length > 255 ||
      !Array.isArray(value) ||
      value.some((item) => typeof item !== 'string')
    ) {
      throw new CodedError(
        'InvalidParameters',
        `Parameter ${name.slice(0, 64)} must be a list of strings.`,
      );
    }
    parameters[name] = value as string[];
  }
  return parameters;
}

function bucketName(input: JsonObjectReader): string {
  const bucket = optionalBoundedString(input, 'OutputS3BucketName', 3, 63) ?? '';
  if (bucket !== '' && !BUCKET_NAME_PATTERN.test(bucket)) {
    throw new CodedError('InvalidOutputFolder', '');
  }
  return bucket;
}

/** The prefix without leading or trailing slashes; segments that could escape a path are refused. */
function keyPrefix(input: JsonObjectReader): string {
  const prefix = (optionalBoundedString(input, 'OutputS3KeyPrefix', 0, 500) ?? '').replace(
    /^\/+|\/+$/g,
    '',
  );
  if (prefix !== '' && !isSafeObjectKey(prefix)) throw new CodedError('InvalidOutputFolder', '');
  return prefix;
}

function notificationConfig(input: JsonObjectReader): NotificationConfig | null {
  if (!input.has('NotificationConfig')) return null;
  const config = input.object('NotificationConfig');
  const invalid = (why: string) => new CodedError('InvalidNotificationConfig', why);
  const arn = config.has('NotificationArn') ? config.string('NotificationArn') : '';
  if (arn !== '' && !/^arn:[a-z-]+:sns:[a-z0-9-]*:[0-9]*:[A-Za-z0-9_-]{1,256}$/.test(arn)) {
    throw invalid('NotificationArn must be the ARN of an SNS topic.');
  }
  const events = config.has('NotificationEvents') ? config.stringArray('NotificationEvents') : [];
  if (events.some((event) => !NOTIFICATION_EVENTS.includes(event))) {
    throw invalid(`NotificationEvents must be among ${NOTIFICATION_EVENTS.join(', ')}.`);
  }
  const type = config.has('NotificationType') ? config.string('NotificationType') : '';
  if (type !== '' && type !== 'Command' && type !== 'Invocation') {
    throw invalid('NotificationType must be Command or Invocation.');
  }
  return { arn, events: [...events], type };
}

function cloudWatchOutputConfig(input: JsonObjectReader): CloudWatchOutputConfig | null {
  if (!input.has('CloudWatchOutputConfig')) return null;
  const config = input.object('CloudWatchOutputConfig');
  return {
    logGroupName:
      optionalBoundedString(config, 'CloudWatchLogGroupName', 1, 512, /^[./\-_#A-Za-z0-9]+$/) ?? '',
    enabled: config.optionalBoolean('CloudWatchOutputEnabled') ?? false,
  };
}
