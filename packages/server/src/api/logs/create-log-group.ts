// CreateLogGroup: a new, empty log group (ResourceAlreadyExistsException when it exists).

import { logGroupArn } from '../../services/services.js';
import { defineOperation } from '../operation.js';
import { reader } from '../input.js';
import { groupName } from './logs-input.js';

export const createLogGroup = defineOperation({
  name: 'CreateLogGroup',
  auth: 'sigv4',
  action: 'logs:CreateLogGroup',
  parse: (body) => ({ name: groupName(reader(body)) }),
  resource: ({ name }, { services }) => logGroupArn(services.identity, name),
  async handle({ name }, { services, now }) {
    await services.logs.createGroup(name, now);
    return {};
  },
});
