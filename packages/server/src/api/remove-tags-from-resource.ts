// RemoveTagsFromResource for managed instances.

import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { reader } from './input.js';
import { asInvalidResource, taggedInstanceId } from './resource-tags.js';

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
    return { instanceId: taggedInstanceId(input), keys };
  },
  resource: ({ instanceId }, { services }) => instanceArn(services.identity, instanceId),
  async handle({ instanceId, keys }, { services }) {
    await services.instances.removeTags(instanceId, keys).catch((error: unknown) => {
      throw asInvalidResource(error, instanceId);
    });
    return {};
  },
});
