// `openssm`: finds the verb, parses its options with the global ones, runs it and turns what it
// throws into one line and an exit status — 2 for usage errors, 1 for API errors, as documented.

import { parseArgs } from 'node:util';
import { describeApiError } from '../api/api-error.js';
import { createApiContext, type ApiContext } from '../api/ssm-client.js';
import type { CliFlags } from '../config/cli-config.js';
import { CliError, UsageError } from '../errors.js';
import type { Host } from '../host/host.js';
import { OPENSSM_VERSION } from '../version.js';
import type { Command, OpenssmDependencies, OptionValues } from './command.js';
import { activationCommand } from './activation.js';
import { auditCommand } from './audit.js';
import { connectCommand } from './connect.js';
import { forwardCommand } from './forward.js';
import { iamCommand } from './iam.js';
import { GLOBAL_HELP, GLOBAL_OPTIONS, splitVerb } from './global-options.js';
import { lsCommand } from './ls.js';
import { runCommand as runVerb } from './run.js';
import { sessionsCommand } from './sessions.js';
import { runSibling, type Spawn } from './sibling.js';
import { terminateCommand } from './terminate.js';

const COMMANDS: readonly Command[] = [
  connectCommand,
  forwardCommand,
  lsCommand,
  runVerb,
  sessionsCommand,
  terminateCommand,
  iamCommand,
  auditCommand,
  activationCommand,
];

/** Verbs that are other programs (see sibling.ts). */
const SIBLINGS: Readonly<Record<string, { executable: string; summary: string }>> = {
  server: { executable: 'openssm-server', summary: 'run the OpenSSM server (openssm-server)' },
  agent: {
    executable: 'openssm-agent',
    summary: 'register, run, status or update the agent (openssm-agent)',
  },
};

export const USAGE_EXIT_CODE = 2;

function mainHelp(): string {
  const verbs = [
    ...COMMANDS.map((command) => [command.name, command.summary] as const),
    ...Object.entries(SIBLINGS).map(([name, sibling]) => [name, sibling.summary] as const),
  ];
  const width = Math.max(...verbs.map(([name]) => name.length));
  return `Usage: openssm <command> [options]

Commands:
${verbs.map(([name, summary]) => `  ${name.padEnd(width)}   ${summary}`).join('\n')}

Run 'openssm <command> --help' for a command's options.

${GLOBAL_HELP}
  --version            print the version
`;
}

export interface RunOpenssmDependencies extends OpenssmDependencies {
  readonly spawn?: Spawn;
}

export async function runOpenssm(
  host: Host,
  dependencies: RunOpenssmDependencies = {},
): Promise<number> {
  const { verb, rest, afterVerb } = splitVerb(host.args);
  const sibling = verb === undefined ? undefined : SIBLINGS[verb];
  if (sibling !== undefined) {
    return runSibling(sibling.executable, afterVerb, host, dependencies.spawn);
  }
  if (verb === undefined || verb === 'help') {
    if (rest.includes('--version')) {
      host.stdout.write(`openssm ${OPENSSM_VERSION}\n`);
      return 0;
    }
    const asked = verb === 'help' || rest.includes('--help') || rest.includes('-h');
    (asked ? host.stdout : host.stderr).write(mainHelp());
    return asked ? 0 : USAGE_EXIT_CODE;
  }
  const command = COMMANDS.find((candidate) => candidate.name === verb);
  if (command === undefined) {
    host.stderr.write(`openssm: unknown command "${verb}"\n${mainHelp()}`);
    return USAGE_EXIT_CODE;
  }
  try {
    return await runCommand(command, rest, host, dependencies);
  } catch (error) {
    if (error instanceof UsageError) {
      host.stderr.write(`openssm: ${error.message}\nTry 'openssm ${command.name} --help'.\n`);
      return USAGE_EXIT_CODE;
    }
    if (error instanceof CliError) {
      host.stderr.write(`openssm: ${error.message}\n`);
      return error.exitCode;
    }
    host.stderr.write(`openssm: ${describeApiError(error)}\n`);
    return 1;
  }
}

async function runCommand(
  command: Command,
  args: readonly string[],
  host: Host,
  dependencies: RunOpenssmDependencies,
): Promise<number> {
  let values: OptionValues;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values;
    positionals = parsed.positionals;
  } catch (error) {
    // parseArgs reports unknown options and missing values as TypeErrors with ERR_PARSE_ARGS_*.
    throw new UsageError((error as Error).message);
  }
  if (values['help'] === true) {
    host.stdout.write(`${command.help}\n`);
    return 0;
  }
  const { min, max, names } = command.positionals;
  if (positionals.length < min || positionals.length > max) {
    throw new UsageError(
      names === ''
        ? `${command.name} takes no arguments`
        : `${command.name} takes ${names}${positionals.length > max ? ' only' : ''}`,
    );
  }
  const flags: CliFlags = {
    endpointUrl: stringValue(values['endpoint-url']),
    region: stringValue(values['region']),
    profile: stringValue(values['profile']),
  };
  let api: ApiContext | undefined;
  return command.run(
    {
      host,
      flags,
      api: () => (api ??= (dependencies.createApi ?? createApiContext)(flags, host)),
      dependencies,
    },
    values,
    positionals,
  );
}

function stringValue(value: OptionValues[string]): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
