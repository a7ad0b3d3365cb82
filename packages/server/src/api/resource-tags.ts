// Shared parsing and dispatch of the tagging operations' resource: managed instances (`mi-…`)
// and documents (by name). Other resource types follow with their issues.

import { CodedError, type JsonObjectReader } from '@openssm/protocol';
import { DOCUMENT_NAME_PATTERN } from '../documents/document-names.js';
import { documentArn, instanceArn, type Services } from '../services/services.js';
import type { Tag } from '../storage/records.js';
import { boundedString } from './input.js';

const TAGGABLE = ['ManagedInstance', 'Document'] as const;

export interface TaggedResource {
  readonly type: (typeof TAGGABLE)[number];
  readonly id: string;
}

export function taggedResource(input: JsonObjectReader): TaggedResource {
  const resourceType = boundedString(input, 'ResourceType', 1, 64);
  if (!(TAGGABLE as readonly string[]).includes(resourceType)) {
    throw new CodedError(
      'InvalidResourceType',
      `Tags are not supported for resource type ${resourceType.slice(0, 64)}.`,
    );
  }
  const resourceId = boundedString(input, 'ResourceId', 1, 1024);
  if (resourceType === 'Document') {
    if (!DOCUMENT_NAME_PATTERN.test(resourceId)) {
      throw new CodedError(
        'InvalidResourceId',
        `${resourceId.slice(0, 64)} is not a document name.`,
      );
    }
    return { type: 'Document', id: resourceId };
  }
  if (!/^mi-[0-9a-f]{17}$/.test(resourceId)) {
    throw new CodedError(
      'InvalidResourceId',
      `${resourceId.slice(0, 64)} is not a managed instance id.`,
    );
  }
  return { type: 'ManagedInstance', id: resourceId };
}

export function taggedResourceArn(resource: TaggedResource, services: Services): string {
  return resource.type === 'Document'
    ? documentArn(services.identity, resource.id)
    : instanceArn(services.identity, resource.id);
}

export async function addResourceTags(
  services: Services,
  resource: TaggedResource,
  tags: readonly Tag[],
): Promise<void> {
  if (resource.type === 'Document') return services.documents.addTags(resource.id, tags);
  await services.instances.addTags(resource.id, tags).catch((error: unknown) => {
    throw asInvalidResource(error, resource.id);
  });
}

export async function removeResourceTags(
  services: Services,
  resource: TaggedResource,
  keys: readonly string[],
): Promise<void> {
  if (resource.type === 'Document') return services.documents.removeTags(resource.id, keys);
  await services.instances.removeTags(resource.id, keys).catch((error: unknown) => {
    throw asInvalidResource(error, resource.id);
  });
}

export async function listResourceTags(
  services: Services,
  resource: TaggedResource,
): Promise<readonly Tag[]> {
  if (resource.type === 'Document') return services.documents.tags(resource.id);
  const instance = await services.instances.get(resource.id).catch((error: unknown) => {
    throw asInvalidResource(error, resource.id);
  });
  return instance.tags;
}

/** Tag operations on an unknown node answer InvalidResourceId, as AWS does. */
function asInvalidResource(error: unknown, resourceId: string): unknown {
  return error instanceof CodedError && error.code === 'InvalidInstanceId'
    ? new CodedError('InvalidResourceId', `The resource ${resourceId} does not exist.`)
    : error;
}
