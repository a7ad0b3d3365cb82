// Shared parsing of the tagging operations' resource: only ManagedInstance resources have tags
// here so far (documents and others follow with their issues).

import { CodedError, type JsonObjectReader } from '@openssm/protocol';
import { boundedString } from './input.js';

const TAGGABLE = ['ManagedInstance'] as const;

export function taggedInstanceId(input: JsonObjectReader): string {
  const resourceType = boundedString(input, 'ResourceType', 1, 64);
  if (!(TAGGABLE as readonly string[]).includes(resourceType)) {
    throw new CodedError(
      'InvalidResourceType',
      `Tags are not supported for resource type ${resourceType.slice(0, 64)}.`,
    );
  }
  const resourceId = boundedString(input, 'ResourceId', 1, 1024);
  if (!/^mi-[0-9a-f]{17}$/.test(resourceId)) {
    throw new CodedError(
      'InvalidResourceId',
      `${resourceId.slice(0, 64)} is not a managed instance id.`,
    );
  }
  return resourceId;
}

/** Tag operations on an unknown node answer InvalidResourceId, as AWS does. */
export function asInvalidResource(error: unknown, resourceId: string): unknown {
  return error instanceof CodedError && error.code === 'InvalidInstanceId'
    ? new CodedError('InvalidResourceId', `The resource ${resourceId} does not exist.`)
    : error;
}
