// CancelCommand (ssm-wire §2.3, §11.1): the whole command, or its invocations on some nodes.
// What was not sent yet ends Cancelled; what runs becomes Cancelling until the node reports.

import { commandId, instanceIdList } from './command-shapes.js';
import { defineOperation } from './operation.js';
import { reader } from './input.js';

export const cancelCommand = defineOperation({
  name: 'CancelCommand',
  auth: 'sigv4',
  action: 'ssm:CancelCommand',
  parse(body) {
    const input = reader(body);
    const instanceIds = instanceIdList(input);
    return {
      commandId: commandId(input),
      instanceIds: instanceIds === undefined || instanceIds.length === 0 ? undefined : instanceIds,
    };
  },
  resource: () => '*',
  async handle({ commandId: id, instanceIds }, { services }) {
    await services.commands.cancel(id, instanceIds);
    return {};
  },
});
