// GetCommandInvocation (ssm-wire §2.3): one plugin (step) of one invocation — the only step, or
// the one PluginName names — with its exit code, AWS-truncated stdout (≤ 24,000) and stderr
// (≤ 8,000), ISO-8601 execution times and the URLs of the full streams.

import { CodedError } from '@openssm/protocol';
import {
  cloudWatchOutputConfigOut,
  commandId,
  instanceId,
  outputUrl,
  pluginViewStatus,
} from './command-shapes.js';
import { defineOperation } from './operation.js';
import { optionalBoundedString, reader } from './input.js';

export const getCommandInvocation = defineOperation({
  name: 'GetCommandInvocation',
  auth: 'sigv4',
  action: 'ssm:GetCommandInvocation',
  parse(body) {
    const input = reader(body);
    return {
      commandId: commandId(input),
      instanceId: instanceId(input),
      pluginName: optionalBoundedString(input, 'PluginName', 4, 500),
    };
  },
  resource: () => '*',
  async handle(input, { services }) {
    const { command, invocation } = await services.commands.getInvocation(
      input.commandId,
      input.instanceId,
    );
    const plugins = invocation.plugins;
    let index: number;
    if (input.pluginName !== undefined) {
      index = plugins.findIndex((plugin) => plugin.name === input.pluginName);
      if (index < 0) throw new CodedError('InvalidPluginName', '');
    } else if (plugins.length > 1) {
      throw new CodedError(
        'InvalidPluginName',
        'The document has more than one step: name the step in PluginName.',
      );
    } else {
      index = 0;
    }
    const plugin = plugins[index];
    const { status, details } = pluginViewStatus(invocation, plugin);
    return {
      CommandId: command.commandId,
      InstanceId: invocation.instanceId,
      Comment: command.comment,
      DocumentName: command.documentName,
      DocumentVersion: command.documentVersion,
      PluginName: plugin?.name ?? '',
      ResponseCode: plugin?.responseCode ?? -1,
      ExecutionStartDateTime: plugin?.startedAt ?? '',
      ExecutionElapsedTime: elapsed(plugin?.startedAt ?? '', plugin?.finishedAt ?? ''),
      ExecutionEndDateTime: plugin?.finishedAt ?? '',
      Status: status,
      StatusDetails: details,
      StandardOutputContent: plugin?.standardOutput ?? '',
      StandardOutputUrl: outputUrl(services.commands, invocation, index, 'stdout'),
      StandardErrorContent: plugin?.standardError ?? '',
      StandardErrorUrl: outputUrl(services.commands, invocation, index, 'stderr'),
      CloudWatchOutputConfig: cloudWatchOutputConfigOut(command),
    };
  },
});

/** AWS's ISO-8601 duration, e.g. `PT0.012S`; '' until the step has both times. */
function elapsed(startedAt: string, finishedAt: string): string {
  const start = Date.parse(startedAt);
  const end = Date.parse(finishedAt);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return '';
  return `PT${((end - start) / 1000).toFixed(3)}S`;
}
