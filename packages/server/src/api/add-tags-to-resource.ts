// AddTagsToResource for managed instances: adds or replaces tags by key.

import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { reader, tagList } from './input.js';
import { asInvalidResource, taggedInstanceId } from './resource-tags.js';

export const addTagsToResource = defineOperation({
  name: 'AddTagsToResource',
  auth: 'sigv4',
  action: 'ssm:AddTagsToResource',
  parse(body) {
    const input = reader(body);
    return { instanceId: taggedInstanceId(input), tags: tagList(input, 'Tags', 1000) };
  },
  resource: ({ instanceId }, { services }) => instanceArn(services.identity, instanceId),
  async handle({ instanceId, tags }, { services }) {
    await services.instances.addTags(instanceId, tags).catch((error: unknown) => {
      throw asInvalidResource(error, instanceId);
    });
    return {};
  },
});
