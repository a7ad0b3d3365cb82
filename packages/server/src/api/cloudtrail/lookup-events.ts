// CloudTrail LookupEvents over the audit trail: newest first, one lookup attribute at most (as
// AWS), a time range, 50 a page. Records of calls already answered are written before the
// lookup runs, so a caller sees its own earlier calls.

import { CodedError } from '@openssm/protocol';
import type { AuditFilter } from '../../storage/log-repositories.js';
import { defineOperation } from '../operation.js';
import { epochSeconds, optionalTimestamp, reader } from '../input.js';

export const CLOUDTRAIL_TARGET_PREFIX = 'com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101';

const KEYS = [
  'EventId',
  'EventName',
  'ReadOnly',
  'Username',
  'ResourceType',
  'ResourceName',
  'EventSource',
  'AccessKeyId',
] as const;

export const lookupEvents = defineOperation({
  name: 'LookupEvents',
  auth: 'sigv4',
  action: 'cloudtrail:LookupEvents',
  parse(body) {
    const input = reader(body);
    const filter: { -readonly [K in keyof AuditFilter]: AuditFilter[K] } = {};
    const attributes = input.has('LookupAttributes') ? input.objectArray('LookupAttributes') : [];
    if (attributes.length > 1) {
      throw new CodedError(
        'InvalidLookupAttributesException',
        'You cannot specify more than one lookup attribute.',
      );
    }
    let matchesNothing = false;
    for (const attribute of attributes) {
      const key = attribute.string('AttributeKey');
      const value = attribute.string('AttributeValue');
      if (!(KEYS as readonly string[]).includes(key) || value.length < 1 || value.length > 2000) {
        throw new CodedError(
          'InvalidLookupAttributesException',
          `AttributeKey must be one of ${KEYS.join(', ')} and AttributeValue 1 to 2000 characters.`,
        );
      }
      switch (key as (typeof KEYS)[number]) {
        case 'EventId':
          filter.eventId = value;
          break;
        case 'EventName':
          filter.eventName = value;
          break;
        case 'ReadOnly':
          if (value !== 'true' && value !== 'false') matchesNothing = true;
          filter.readOnly = value === 'true';
          break;
        case 'Username':
          filter.username = value;
          break;
        case 'ResourceName':
          filter.resourceName = value;
          break;
        case 'ResourceType':
          // Records name resources by ARN; types are not indexed, so nothing matches a type.
          matchesNothing = true;
          break;
        case 'EventSource':
          filter.eventSource = value;
          break;
        case 'AccessKeyId':
          filter.accessKeyId = value;
          break;
      }
    }
    const startTime = optionalTimestamp(input, 'StartTime');
    const endTime = optionalTimestamp(input, 'EndTime');
    if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
      throw new CodedError(
        'InvalidTimeRangeException',
        'Start time must be equal to or earlier than end time.',
      );
    }
    if (startTime !== undefined) filter.startTime = startTime;
    if (endTime !== undefined) filter.endTime = endTime;
    if (input.has('EventCategory') && input.value('EventCategory') !== 'insight') {
      throw new CodedError('InvalidEventCategoryException', 'EventCategory must be insight.');
    }
    let limit = 50;
    if (input.has('MaxResults')) {
      const value = input.value('MaxResults');
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 50) {
        throw new CodedError('InvalidMaxResultsException', 'MaxResults must be from 1 to 50.');
      }
      limit = value;
    }
    const nextToken = input.optionalString('NextToken');
    return {
      filter,
      // There are no Insights events: a lookup for them finds none.
      matchesNothing: matchesNothing || input.has('EventCategory'),
      limit,
      ...(nextToken === undefined ? {} : { nextToken }),
    };
  },
  resource: () => '*',
  async handle({ filter, matchesNothing, limit, nextToken }, { services }) {
    if (matchesNothing) return { Events: [] };
    await services.audit.flush();
    let page;
    try {
      page = await services.audit.lookup(filter, {
        limit,
        ...(nextToken === undefined ? {} : { cursor: nextToken }),
      });
    } catch (error) {
      if (error instanceof CodedError && error.code === 'InvalidNextToken') {
        throw new CodedError('InvalidNextTokenException', 'Invalid NextToken.');
      }
      throw error;
    }
    return {
      Events: page.items.map((row) => ({
        EventId: row.eventId,
        EventName: row.eventName,
        ReadOnly: String(row.readOnly),
        ...(row.accessKeyId === '' ? {} : { AccessKeyId: row.accessKeyId }),
        EventTime: epochSeconds(row.eventTime),
        EventSource: row.eventSource,
        ...(row.username === '' ? {} : { Username: row.username }),
        Resources: row.resourceNames
          .filter((name) => name.startsWith('arn:'))
          .map((arn) => ({ ResourceType: resourceType(arn), ResourceName: arn })),
        CloudTrailEvent: row.record,
      })),
      ...(page.nextCursor === undefined ? {} : { NextToken: page.nextCursor }),
    };
  },
});

/** CloudFormation-style type names, as CloudTrail reports them. */
function resourceType(arn: string): string {
  const [, , service = '', , , resource = ''] = arn.split(':');
  const kind = resource.split('/')[0] ?? '';
  const known: Record<string, string> = {
    'ssm:managed-instance': 'AWS::SSM::ManagedInstance',
    'ssm:session': 'AWS::SSM::Session',
    'ssm:document': 'AWS::SSM::Document',
    'ssm:activation': 'AWS::SSM::Activation',
    'iam:user': 'AWS::IAM::User',
    'iam:role': 'AWS::IAM::Role',
    'iam:group': 'AWS::IAM::Group',
    'iam:policy': 'AWS::IAM::Policy',
    'logs:log-group': 'AWS::Logs::LogGroup',
  };
  return known[`${service}:${kind}`] ?? `AWS::${service.toUpperCase()}::${kind}`;
}
