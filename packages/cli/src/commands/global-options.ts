// Options every verb accepts, anywhere on the line, and how the verb is found among them.

import type { OptionSpecs } from './command.js';

export const GLOBAL_OPTIONS = {
  'endpoint-url': { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionSpecs;

export const GLOBAL_HELP = `Global options:
  --endpoint-url URL   the OpenSSM server (default: $OPENSSM_ENDPOINT, then AWS's own settings)
  --region REGION      default: $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region, us-east-1
  --profile NAME       a profile of ~/.aws/credentials or ~/.aws/config (default: $AWS_PROFILE)
  -h, --help           this help`;

/** Global options that take a value, in their `--name` form: the word after them is no verb. */
const TAKES_VALUE = new Set(
  Object.entries(GLOBAL_OPTIONS as OptionSpecs)
    .filter(([, option]) => option.type === 'string')
    .map(([name]) => `--${name}`),
);

export interface SplitArguments {
  readonly verb: string | undefined;
  /** Everything but the verb, global options included, in order. */
  readonly rest: readonly string[];
  /** Only what followed the verb (handed unchanged to `server` and `agent`). */
  readonly afterVerb: readonly string[];
}

/** The first word that is neither an option nor an option's value is the verb. */
export function splitVerb(args: readonly string[]): SplitArguments {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') break;
    if (arg.startsWith('-')) {
      if (TAKES_VALUE.has(arg)) index++;
      continue;
    }
    return {
      verb: arg,
      rest: [...args.slice(0, index), ...args.slice(index + 1)],
      afterVerb: args.slice(index + 1),
    };
  }
  return { verb: undefined, rest: args, afterVerb: [] };
}
