// ListTagsForResource for managed instances.

import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { reader, tagsOut } from './input.js';
import { asInvalidResource, taggedInstanceId } from './resource-tags.js';

export const listTagsForResource = defineOperation({
  name: 'ListTagsForResource',
  auth: 'sigv4',
  action: 'ssm:ListTagsForResource',
  parse: (body) => ({ instanceId: taggedInstanceId(reader(body)) }),
  resource: ({ instanceId }, { services }) => instanceArn(services.identity, instanceId),
  async handle({ instanceId }, { services }) {
    const instance = await services.instances.get(instanceId).catch((error: unknown) => {
      throw asInvalidResource(error, instanceId);
    });
    return { TagList: tagsOut(instance.tags) };
  },
});
