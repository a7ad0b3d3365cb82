// ListCommandInvocations (ssm-wire §2.3): one entry per command and node, newest command first;
// with Details, each plugin's status, exit code, output (≤ 2,500 characters) and output URLs.

import type { InvocationFilter } from '../storage/command-repositories.js';
import type { InvocationStatus } from '../storage/command-records.js';
import {
  INVOCATION_STATUS_VALUES,
  commandFilters,
  invocationOut,
  optionalCommandId,
  optionalInstanceId,
} from './command-shapes.js';
import { defineOperation } from './operation.js';
import { nextToken, pageInput, reader } from './input.js';

export const listCommandInvocations = defineOperation({
  name: 'ListCommandInvocations',
  auth: 'sigv4',
  action: 'ssm:ListCommandInvocations',
  parse(body) {
    const input = reader(body);
    const { status, ...rest } = commandFilters(input, INVOCATION_STATUS_VALUES);
    const commandId = optionalCommandId(input);
    const instanceId = optionalInstanceId(input);
    const filter: InvocationFilter = {
      ...rest,
      ...(status === undefined ? {} : { status: status as InvocationStatus }),
      ...(commandId === undefined ? {} : { commandId }),
      ...(instanceId === undefined ? {} : { instanceId }),
    };
    return {
      filter,
      details: input.optionalBoolean('Details') ?? false,
      page: pageInput(input, 1, 50, 50),
    };
  },
  resource: () => '*',
  async handle({ filter, details, page }, { services }) {
    const result = await services.commands.listInvocations(filter, page);
    return {
      CommandInvocations: result.items.map(({ command, invocation }) =>
        invocationOut(services.commands, command, invocation, details, services.identity.region),
      ),
      ...nextToken(result.nextCursor),
    };
  },
});
