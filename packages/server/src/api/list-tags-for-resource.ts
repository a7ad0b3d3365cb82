// ListTagsForResource for managed instances and documents.

import { defineOperation } from './operation.js';
import { reader, tagsOut } from './input.js';
import { listResourceTags, taggedResource, taggedResourceArn } from './resource-tags.js';

export const listTagsForResource = defineOperation({
  name: 'ListTagsForResource',
  auth: 'sigv4',
  action: 'ssm:ListTagsForResource',
  parse: (body) => ({ resource: taggedResource(reader(body)) }),
  resource: ({ resource }, { services }) => taggedResourceArn(resource, services),
  async handle({ resource }, { services }) {
    return { TagList: tagsOut(await listResourceTags(services, resource)) };
  },
});
