// `openssm run`: Run Command from the terminal — sends a command to nodes named by id, name or
// tag, shows live progress (counts by status, a line per finished node with its exit code and
// first lines of output) and exits non-zero when any node did not succeed; `--output json` for
// scripts, `--no-wait` to print the command id. `openssm run output <id> [node]` prints the full
// stdout/stderr the server kept (docs/run-command.md).

import {
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  GetCommandInvocationCommand,
  SendCommandCommand,
  type Command as SsmCommand,
  type CommandInvocation,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import { fetchCommandOutput } from '../api/command-output.js';
import { listInstances } from '../api/list-instances.js';
import type { ApiContext } from '../api/ssm-client.js';
import { CliError, UsageError } from '../errors.js';
import { resolveTarget } from '../targets/resolve-target.js';
import { parseTargetSpecs, resolveRunTargets } from '../run/run-targets.js';
import type { Command, CommandContext, OptionValues } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

const DEFAULT_DOCUMENT = 'AWS-RunShellScript';
/** Lines of each node's output shown under its result line. */
const PREVIEW_LINES = 5;
const FINAL = ['Success', 'Failed', 'TimedOut', 'Cancelled'];
/** How long `run output` waits for a stream still being uploaded before showing the API's field. */
const OUTPUT_WAIT_MS = 5000;

export const runCommand: Command = {
  name: 'run',
  summary: 'run a command on nodes (Run Command); `run output` prints full output',
  help: `Usage: openssm run --targets <targets> [options] -- <command…>
       openssm run output <command-id> [<node>]

Runs a shell command (AWS-RunShellScript, or --document) on managed nodes and follows it:
counts by status while it runs, then a line per node with its status, exit code and the first
lines of its output. Exits 0 when every node succeeded, 1 otherwise.

Targets (comma-separated, or --targets given again):
  mi-…                node ids
  NAME                every node whose Name (or Name tag) is NAME
  tag:KEY=VALUE       every node with that tag, resolved by the server when the command is
                      sent; values of one key are OR-ed, different keys AND-ed

Options:
  -t, --targets T          the nodes (required)
  --document NAME          a Command document (default AWS-RunShellScript)
  --parameters NAME=VALUE  a document parameter; VALUE may be a JSON list; may be repeated
  --max-concurrency N|P%   nodes running it at once (default 50)
  --max-errors N|P%        errors after which no more nodes are sent it (default 0)
  --timeout SECONDS        execution timeout of the script (the executionTimeout parameter)
  --delivery-timeout S     how long a node may take to receive it (TimeoutSeconds, ≥ 30)
  --comment TEXT           a comment shown with the command (≤ 100 characters)
  -o, --output json|text   json: one JSON document at the end, for scripts (default text)
  --no-wait                print the command id and return at once

openssm run output <command-id> [<node>]
  Prints the full stdout (to stdout) and stderr (to stderr) of each step on each node, or on one
  node (id or name) — not the API's truncated fields.

${GLOBAL_HELP}`,
  options: {
    targets: { type: 'string', short: 't', multiple: true },
    document: { type: 'string' },
    parameters: { type: 'string', multiple: true },
    'max-concurrency': { type: 'string' },
    'max-errors': { type: 'string' },
    timeout: { type: 'string' },
    'delivery-timeout': { type: 'string' },
    comment: { type: 'string' },
    output: { type: 'string', short: 'o' },
    'no-wait': { type: 'boolean' },
  },
  positionals: { min: 0, max: Number.MAX_SAFE_INTEGER, names: '-- <command…>' },
  async run(context, values, positionals) {
    if (values['targets'] === undefined) {
      if (positionals[0] === 'output') return printOutput(context, positionals.slice(1));
      throw new UsageError('--targets is required (or: openssm run output <command-id> [node])');
    }
    const format = text(values, 'output') ?? 'text';
    if (format !== 'text' && format !== 'json') throw new UsageError('--output is json or text');
    const api = context.api();
    const specs = parseTargetSpecs(list(values, 'targets'));
    const input = sendInput(values, positionals);
    const targets = await resolveRunTargets(specs, (filters) => listInstances(api.client, filters));
    const sent = await api.client.send(
      new SendCommandCommand({
        ...input,
        ...(targets.kind === 'instances'
          ? { InstanceIds: [...targets.instanceIds] }
          : { Targets: [...targets.targets] }),
      }),
    );
    const command = sent.Command;
    const commandId = command?.CommandId;
    if (command === undefined || commandId === undefined) {
      throw new CliError('SendCommand returned no command id');
    }
    const out = context.host.stdout;
    if (values['no-wait'] === true) {
      out.write(
        format === 'json' ? `${JSON.stringify({ CommandId: commandId })}\n` : `${commandId}\n`,
      );
      return 0;
    }
    if (command.TargetCount === 0) {
      context.host.stderr.write('openssm: no managed node matches the targets\n');
      if (format === 'json') out.write(`${JSON.stringify(summary(command, []), null, 2)}\n`);
      return 1;
    }
    if (format === 'text') {
      context.host.stderr.write(
        `Command ${commandId} sent to ${command.TargetCount} node${command.TargetCount === 1 ? '' : 's'}\n`,
      );
    }
    const { final, invocations } = await follow(context, api, command, format === 'text');
    if (format === 'json') {
      out.write(`${JSON.stringify(summary(final, invocations), null, 2)}\n`);
    } else {
      out.write(`${closingLine(final, invocations)}\n`);
    }
    return invocations.every((invocation) => invocation.Status === 'Success') ? 0 : 1;
  },
};

function text(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function list(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

/** SendCommand's fields from the options and the command words. */
function sendInput(
  values: OptionValues,
  words: readonly string[],
): Omit<SendCommandCommandInput, 'InstanceIds' | 'Targets'> {
  const parameters = parseParameters(list(values, 'parameters'));
  if (words.length > 0) {
    if (parameters['commands'] !== undefined) {
      throw new UsageError('give the command after -- or as --parameters commands=…, not both');
    }
    parameters['commands'] = [words.join(' ')];
  }
  const timeout = text(values, 'timeout');
  if (timeout !== undefined) {
    if (!/^[1-9][0-9]*$/.test(timeout)) throw new UsageError('--timeout is a number of seconds');
    parameters['executionTimeout'] = [timeout];
  }
  const document = text(values, 'document') ?? DEFAULT_DOCUMENT;
  if (document === DEFAULT_DOCUMENT && parameters['commands'] === undefined) {
    throw new UsageError('give the command to run after --, e.g. openssm run -t web-1 -- df -h');
  }
  const deliveryTimeout = text(values, 'delivery-timeout');
  if (deliveryTimeout !== undefined && !/^[0-9]+$/.test(deliveryTimeout)) {
    throw new UsageError('--delivery-timeout is a number of seconds');
  }
  const maxConcurrency = text(values, 'max-concurrency');
  const maxErrors = text(values, 'max-errors');
  const comment = text(values, 'comment');
  return {
    DocumentName: document,
    Parameters: parameters,
    ...(maxConcurrency === undefined ? {} : { MaxConcurrency: maxConcurrency }),
    ...(maxErrors === undefined ? {} : { MaxErrors: maxErrors }),
    ...(deliveryTimeout === undefined ? {} : { TimeoutSeconds: Number(deliveryTimeout) }),
    ...(comment === undefined ? {} : { Comment: comment }),
  };
}

/** `name=value` or `name=["a","b"]`; a name given again adds values. */
export function parseParameters(specs: readonly string[]): Record<string, string[]> {
  const parameters: Record<string, string[]> = {};
  for (const spec of specs) {
    const equals = spec.indexOf('=');
    if (equals <= 0) throw new UsageError(`--parameters ${spec}: expected NAME=VALUE`);
    const name = spec.slice(0, equals);
    const value = spec.slice(equals + 1);
    let values = [value];
    if (value.startsWith('[')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        throw new UsageError(`--parameters ${name}: ${value} is not a JSON list`);
      }
      if (!Array.isArray(parsed) || parsed.some((item) => typeof item !== 'string')) {
        throw new UsageError(`--parameters ${name}: a list must hold strings`);
      }
      values = parsed as string[];
    }
    parameters[name] = [...(parameters[name] ?? []), ...values];
  }
  return parameters;
}

// ---- following a command ----------------------------------------------------------------------

interface Followed {
  readonly final: SsmCommand;
  readonly invocations: CommandInvocation[];
}

async function follow(
  context: CommandContext,
  api: ApiContext,
  sent: SsmCommand,
  live: boolean,
): Promise<Followed> {
  const commandId = sent.CommandId!;
  const interval =
    context.dependencies.pollIntervalMs ??
    Math.min(3000, Math.max(500, (sent.TargetCount ?? 1) * 10));
  const shown = new Set<string>();
  let lastProgress = '';
  const progress = progressWriter(context);
  for (;;) {
    const command = await commandOf(api, commandId);
    const invocations = await invocationsOf(api, commandId, undefined);
    const final = FINAL.includes(command.Status ?? '');
    if (live) {
      for (const invocation of invocations) {
        if (!FINAL.includes(invocation.Status ?? '') || shown.has(invocation.InstanceId!)) continue;
        shown.add(invocation.InstanceId!);
        progress.clear();
        context.host.stdout.write(nodeBlock(commandId, invocation));
      }
      const line = progressLine(command, invocations);
      if (line !== lastProgress && !final) progress.show(line);
      lastProgress = line;
    }
    if (final && invocations.every((invocation) => FINAL.includes(invocation.Status ?? ''))) {
      progress.clear();
      return { final: command, invocations };
    }
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

async function commandOf(api: ApiContext, commandId: string): Promise<SsmCommand> {
  const { Commands = [] } = await api.client.send(
    new ListCommandsCommand({ CommandId: commandId }),
  );
  const command = Commands[0];
  if (command === undefined) throw new CliError(`command ${commandId} is gone`);
  return command;
}

async function invocationsOf(
  api: ApiContext,
  commandId: string,
  instanceId: string | undefined,
): Promise<CommandInvocation[]> {
  const all: CommandInvocation[] = [];
  let token: string | undefined;
  do {
    const page = await api.client.send(
      new ListCommandInvocationsCommand({
        CommandId: commandId,
        ...(instanceId === undefined ? {} : { InstanceId: instanceId }),
        Details: true,
        ...(token === undefined ? {} : { NextToken: token }),
      }),
    );
    all.push(...(page.CommandInvocations ?? []));
    token = page.NextToken;
  } while (token !== undefined);
  return all;
}

/** Where the counts line goes: rewritten in place on a terminal, a line per change otherwise. */
function progressWriter(context: CommandContext) {
  const stderr = context.host.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  const tty = stderr.isTTY === true;
  let shown = false;
  return {
    show(line: string) {
      if (tty) {
        stderr.write(`\r\u001b[2K${line}`);
        shown = true;
      } else {
        stderr.write(`${line}\n`);
      }
    },
    clear() {
      if (tty && shown) stderr.write('\r\u001b[2K');
      shown = false;
    },
  };
}

function countsByStatus(invocations: readonly CommandInvocation[]): string {
  const counts = new Map<string, number>();
  for (const invocation of invocations) {
    const status = invocation.StatusDetails || invocation.Status || 'Unknown';
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  return [...counts].map(([status, count]) => `${count} ${status}`).join(', ');
}

function progressLine(command: SsmCommand, invocations: readonly CommandInvocation[]): string {
  return `[${command.CompletedCount ?? 0}/${command.TargetCount ?? 0}] ${countsByStatus(invocations)}`;
}

/** The node's line (status, exit code) and the first lines of its output. */
function nodeBlock(commandId: string, invocation: CommandInvocation): string {
  const plugins = invocation.CommandPlugins ?? [];
  const codes = plugins.map((plugin) => plugin.ResponseCode ?? -1).filter((code) => code >= 0);
  const code = codes.find((value) => value !== 0) ?? codes[0];
  const name = invocation.InstanceName ? ` (${clean(invocation.InstanceName)})` : '';
  const status = invocation.StatusDetails || invocation.Status;
  let block = `${invocation.InstanceId}${name}  ${status}${code === undefined ? '' : `  exit ${code}`}\n`;
  const output = plugins
    .map((plugin) => plugin.Output ?? '')
    .join('\n')
    .replace(/\n+$/, '');
  if (output !== '') {
    const lines = output.split('\n');
    for (const line of lines.slice(0, PREVIEW_LINES)) block += `    ${clean(line)}\n`;
    if (lines.length > PREVIEW_LINES) {
      block += `    … ${lines.length - PREVIEW_LINES} more line${lines.length - PREVIEW_LINES === 1 ? '' : 's'}: openssm run output ${commandId} ${invocation.InstanceId}\n`;
    }
  }
  return block;
}

function closingLine(command: SsmCommand, invocations: readonly CommandInvocation[]): string {
  return `${invocations.length} node${invocations.length === 1 ? '' : 's'}: ${countsByStatus(invocations)} (command ${command.Status}${
    command.StatusDetails && command.StatusDetails !== command.Status
      ? `: ${command.StatusDetails}`
      : ''
  })`;
}

function summary(command: SsmCommand, invocations: readonly CommandInvocation[]) {
  return {
    CommandId: command.CommandId,
    Status: command.Status,
    StatusDetails: command.StatusDetails,
    TargetCount: command.TargetCount,
    CompletedCount: command.CompletedCount,
    ErrorCount: command.ErrorCount,
    DeliveryTimedOutCount: command.DeliveryTimedOutCount,
    Invocations: invocations.map((invocation) => ({
      InstanceId: invocation.InstanceId,
      InstanceName: invocation.InstanceName,
      Status: invocation.Status,
      StatusDetails: invocation.StatusDetails,
      Plugins: (invocation.CommandPlugins ?? []).map((plugin) => ({
        Name: plugin.Name,
        Status: plugin.Status,
        StatusDetails: plugin.StatusDetails,
        ResponseCode: plugin.ResponseCode,
        Output: plugin.Output,
        StandardOutputUrl: plugin.StandardOutputUrl,
        StandardErrorUrl: plugin.StandardErrorUrl,
      })),
    })),
  };
}

/** Server text on the terminal: no control characters. */
function clean(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what this removes
  return value.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}

// ---- openssm run output -----------------------------------------------------------------------

async function printOutput(context: CommandContext, args: readonly string[]): Promise<number> {
  const [commandId, node, ...extra] = args;
  if (commandId === undefined || extra.length > 0) {
    throw new UsageError('usage: openssm run output <command-id> [<node>]');
  }
  if (!/^[0-9a-f-]{36}$/.test(commandId)) throw new UsageError(`${commandId} is not a command id`);
  const api = context.api();
  const instanceId =
    node === undefined
      ? undefined
      : (await resolveTarget(node, (filters) => listInstances(api.client, filters))).instanceId;
  const invocations = await invocationsOf(api, commandId, instanceId);
  if (invocations.length === 0) {
    throw new CliError(
      `command ${commandId} has no invocation${instanceId === undefined ? '' : ` on ${instanceId}`}`,
    );
  }
  const many =
    invocations.length > 1 ||
    invocations.some((invocation) => (invocation.CommandPlugins ?? []).length > 1);
  const { stdout, stderr } = context.host;
  for (const invocation of invocations) {
    for (const plugin of invocation.CommandPlugins ?? []) {
      const header = `==> ${invocation.InstanceId} ${plugin.Name} (${plugin.StatusDetails ?? plugin.Status}) <==\n`;
      if (many) stdout.write(header);
      const out = await streamOf(
        context,
        api,
        commandId,
        invocation,
        plugin.Name!,
        plugin.StandardOutputUrl,
        'stdout',
      );
      stdout.write(out);
      const err = await streamOf(
        context,
        api,
        commandId,
        invocation,
        plugin.Name!,
        plugin.StandardErrorUrl,
        'stderr',
      );
      if (err.length > 0) {
        if (many) stderr.write(header);
        stderr.write(err);
      }
    }
  }
  return 0;
}

/** The full stream from its URL, or — when the server has none — the API's truncated field. */
async function streamOf(
  context: CommandContext,
  api: ApiContext,
  commandId: string,
  invocation: CommandInvocation,
  pluginName: string,
  url: string | undefined,
  stream: 'stdout' | 'stderr',
): Promise<Buffer> {
  if (url !== undefined && url !== '') {
    // The node uploads a step's output right after reporting it: give it a moment to land.
    const deadline = Date.now() + OUTPUT_WAIT_MS;
    for (;;) {
      const fetched = await fetchCommandOutput(api, url);
      if (fetched.status === 200) return fetched.body;
      if (fetched.status !== 404) {
        throw new CliError(
          `${url}: HTTP ${fetched.status} ${fetched.body.toString('utf8').slice(0, 300)}`,
        );
      }
      if (Date.now() >= deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const result = await api.client.send(
    new GetCommandInvocationCommand({
      CommandId: commandId,
      InstanceId: invocation.InstanceId!,
      PluginName: pluginName,
    }),
  );
  const field = stream === 'stdout' ? result.StandardOutputContent : result.StandardErrorContent;
  if (field) {
    context.host.stderr.write(
      `openssm: the full ${stream} of ${invocation.InstanceId} is not on the server; showing the API's (truncated) field\n`,
    );
  }
  return Buffer.from(field ?? '');
}
