// `openssm activation create`: a hybrid activation and what to do with it — the install command
// for one machine, or with --fleet a cloud-init user-data document for a launch template, so
// every instance an Auto Scaling group starts joins on first boot with the activation's tags.

import { CreateActivationCommand } from '@aws-sdk/client-ssm';
import { CliError, UsageError } from '../errors.js';
import { cloudInitUserData, installCommand, type InstallTarget } from '../fleet/install-snippet.js';
import { readTextIfExists } from '../config/read-text.js';
import type { Command, OptionValues } from './command.js';
import { GLOBAL_HELP } from './global-options.js';

const HELP = `Usage: openssm activation create [--fleet] [--name NAME] [--tags K=V,…] [--limit N]
                                [--expires DAYS] [--iam-role ROLE] [--description TEXT]

Creates an activation (CreateActivation) and prints how to install the agent with it.

  --fleet              print a cloud-init user-data document (paste it into a launch template)
                       instead of the one-machine command; --limit defaults to 1000 then
  --name NAME          the default instance name every node registered with it gets
  --tags K=V,…         tags every node registered with it gets (Env=prod,Role=web)
  --limit N            how many nodes may register with it (default 1, with --fleet 1000)
  --expires DAYS       lifetime in days, at most 30 (default 1, with --fleet 30)
  --iam-role ROLE      the role its nodes act as (default OpenSSMNodeRole)
  --description TEXT   recorded with the activation

The activation code is a secret until the activation expires: user data is readable by anyone
who can describe the instance, so keep the limit and lifetime as small as the fleet allows.

${GLOBAL_HELP}`;

const DAY_MS = 24 * 60 * 60 * 1000;

export const activationCommand: Command = {
  name: 'activation',
  summary: 'create an activation and print the agent install command or cloud-init user data',
  help: HELP,
  options: {
    fleet: { type: 'boolean' },
    name: { type: 'string' },
    tags: { type: 'string' },
    limit: { type: 'string' },
    expires: { type: 'string' },
    'iam-role': { type: 'string' },
    description: { type: 'string' },
  },
  positionals: { min: 1, max: 1, names: 'a subcommand (create)' },
  async run(context, values, [subcommand]) {
    if (subcommand !== 'create')
      throw new UsageError(`unknown activation subcommand "${subcommand}"`);
    const fleet = values['fleet'] === true;
    const limit = integer(values, 'limit', fleet ? 1000 : 1, 1, 1000);
    const days = integer(values, 'expires', fleet ? 30 : 1, 1, 30);
    const api = context.api();
    const endpoint = api.config.endpoint;
    if (endpoint === undefined) {
      throw new UsageError(
        'activation create needs the server: --endpoint-url or OPENSSM_ENDPOINT',
      );
    }
    const name = text(values, 'name');
    const description = text(values, 'description');
    const created = await api.client.send(
      new CreateActivationCommand({
        IamRole: text(values, 'iam-role') ?? 'OpenSSMNodeRole',
        RegistrationLimit: limit,
        // A minute short of the limit, so the server's clock never sees it beyond 30 days.
        ExpirationDate: new Date(Date.now() + days * DAY_MS - 60_000),
        ...(name === undefined ? {} : { DefaultInstanceName: name }),
        ...(description === undefined ? {} : { Description: description }),
        Tags: parseTags(text(values, 'tags')),
      }),
    );
    if (!created.ActivationId || !created.ActivationCode) {
      throw new CliError('CreateActivation returned no ActivationId or ActivationCode');
    }
    const caFile = api.config.caBundleFile;
    const caPem = caFile === undefined ? undefined : readTextIfExists(caFile);
    const target: InstallTarget = {
      serverUrl: endpoint,
      activationId: created.ActivationId,
      activationCode: created.ActivationCode,
      ...(caPem === undefined ? {} : { caPem }),
    };
    const { stdout, stderr } = context.host;
    stderr.write(
      `Activation ${created.ActivationId}: up to ${limit} node(s), for ${days} day(s). ` +
        'Its code is a secret; it is shown this once.\n',
    );
    stdout.write(fleet ? cloudInitUserData(target) : `${installCommand(target)}\n`);
    return 0;
  },
};

function text(values: OptionValues, key: string): string | undefined {
  const value = values[key];
  return typeof value === 'string' ? value : undefined;
}

function integer(values: OptionValues, key: string, fallback: number, min: number, max: number) {
  const given = text(values, key);
  if (given === undefined) return fallback;
  const value = Number(given);
  if (!/^\d+$/.test(given) || value < min || value > max) {
    throw new UsageError(`--${key} must be a whole number from ${min} to ${max}, got "${given}"`);
  }
  return value;
}

/** `K=V,K2=V2` → AWS tags; keys and values as CreateActivation's limits allow. */
export function parseTags(given: string | undefined): { Key: string; Value: string }[] {
  if (given === undefined || given.trim() === '') return [];
  return given.split(',').map((pair) => {
    const at = pair.indexOf('=');
    const key = (at < 0 ? pair : pair.slice(0, at)).trim();
    if (at <= 0 || key === '') throw new UsageError(`--tags wants KEY=VALUE pairs, got "${pair}"`);
    return { Key: key, Value: pair.slice(at + 1).trim() };
  });
}
