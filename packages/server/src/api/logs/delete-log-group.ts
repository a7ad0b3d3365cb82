// DeleteLogGroup: the group with every stream and event.

import { logGroupArn } from '../../services/services.js';
import { defineOperation } from '../operation.js';
import { reader } from '../input.js';
import { groupName } from './logs-input.js';

export const deleteLogGroup = defineOperation({
  name: 'DeleteLogGroup',
  auth: 'sigv4',
  action: 'logs:DeleteLogGroup',
  parse: (body) => ({ name: groupName(reader(body)) }),
  resource: ({ name }, { services }) => logGroupArn(services.identity, name),
  async handle({ name }, { services }) {
    await services.logs.deleteGroup(name);
    return {};
  },
});
