// AddTagsToResource for managed instances and documents: adds or replaces tags by key.

import { defineOperation } from './operation.js';
import { reader, tagList } from './input.js';
import { addResourceTags, taggedResource, taggedResourceArn } from './resource-tags.js';

export const addTagsToResource = defineOperation({
  name: 'AddTagsToResource',
  auth: 'sigv4',
  action: 'ssm:AddTagsToResource',
  parse(body) {
    const input = reader(body);
    return { resource: taggedResource(input), tags: tagList(input, 'Tags', 1000) };
  },
  resource: ({ resource }, { services }) => taggedResourceArn(resource, services),
  async handle({ resource, tags }, { services }) {
    await addResourceTags(services, resource, tags);
    return {};
  },
});
