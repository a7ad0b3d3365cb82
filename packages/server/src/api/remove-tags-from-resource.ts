// RemoveTagsFromResource for managed instances and documents.

import { defineOperation } from './operation.js';
import { reader } from './input.js';
import { removeResourceTags, taggedResource, taggedResourceArn } from './resource-tags.js';

export const removeTagsFromResource = defineOperation({
  name: 'RemoveTagsFromResource',
  auth: 'sigv4',
  action: 'ssm:RemoveTagsFromResource',
  parse(body) {
    const input = reader(body);
    const keys = input.stringArray('TagKeys');
    if (keys.some((key) => key.length < 1 || key.length > 128)) {
      throw input.fail('TagKeys', 'must hold keys of length 1 to 128');
    }
    return { resource: taggedResource(input), keys };
  },
  resource: ({ resource }, { services }) => taggedResourceArn(resource, services),
  async handle({ resource, keys }, { services }) {
    await removeResourceTags(services, resource, keys);
    return {};
  },
});
