// PutRetentionPolicy: events older than retentionInDays (AWS's values) are deleted.

import { logGroupArn } from '../../services/services.js';
import { defineOperation } from '../operation.js';
import { reader } from '../input.js';
import { groupName } from './logs-input.js';

export const putRetentionPolicy = defineOperation({
  name: 'PutRetentionPolicy',
  auth: 'sigv4',
  action: 'logs:PutRetentionPolicy',
  parse(body) {
    const input = reader(body);
    return {
      name: groupName(input),
      days: input.integer('retentionInDays', -2147483648, 2147483647),
    };
  },
  resource: ({ name }, { services }) => logGroupArn(services.identity, name),
  async handle({ name, days }, { services }) {
    await services.logs.putRetention(name, days);
    return {};
  },
});
