// ListCommands (ssm-wire §2.3): commands newest first, by id, by node, or with AWS's lower-case
// {key, value} filters (InvokedAfter, InvokedBefore, Status, ExecutionStage, DocumentName).

import type { CommandFilter } from '../storage/command-repositories.js';
import type { CommandStatus } from '../storage/command-records.js';
import {
  COMMAND_STATUS_VALUES,
  commandFilters,
  commandOut,
  optionalCommandId,
  optionalInstanceId,
} from './command-shapes.js';
import { defineOperation } from './operation.js';
import { nextToken, pageInput, reader } from './input.js';

export const listCommands = defineOperation({
  name: 'ListCommands',
  auth: 'sigv4',
  action: 'ssm:ListCommands',
  parse(body) {
    const input = reader(body);
    const { status, ...rest } = commandFilters(input, COMMAND_STATUS_VALUES);
    const commandId = optionalCommandId(input);
    const instanceId = optionalInstanceId(input);
    const filter: CommandFilter = {
      ...rest,
      ...(status === undefined ? {} : { status: status as CommandStatus }),
      ...(commandId === undefined ? {} : { commandId }),
      ...(instanceId === undefined ? {} : { instanceId }),
    };
    return { filter, page: pageInput(input, 1, 50, 50) };
  },
  resource: () => '*',
  async handle({ filter, page }, { services }) {
    const result = await services.commands.list(filter, page);
    return {
      Commands: result.items.map((command) => commandOut(command, services.identity.region)),
      ...nextToken(result.nextCursor),
    };
  },
});
