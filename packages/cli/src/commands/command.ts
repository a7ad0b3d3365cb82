// The shape of an `openssm` verb: its help, its options (parsed with node:util's parseArgs, the
// global ones added) and what it runs. Verbs that hand over to another program are separate.

import type { ApiContext, ApiFactory } from '../api/ssm-client.js';
import type { CliFlags } from '../config/cli-config.js';
import type { Host } from '../host/host.js';
import type { RetryPolicy } from '../session/retry-policy.js';
import type { Dialer } from '../session/websocket-transport.js';

/** Seams for tests: a fake SSM endpoint, fast retries, a fake process launcher. */
export interface OpenssmDependencies {
  readonly createApi?: ApiFactory;
  readonly retry?: RetryPolicy;
  readonly dialer?: (ca: readonly string[] | undefined) => Dialer;
  /** How often `openssm run` polls a command it follows (default: by target count). */
  readonly pollIntervalMs?: number;
}

export interface CommandContext {
  readonly host: Host;
  readonly flags: CliFlags;
  /** Created on first use, so `--help` and usage errors never need credentials. */
  readonly api: () => ApiContext;
  readonly dependencies: OpenssmDependencies;
}

/** One option in node:util parseArgs' form; `multiple` options may be given more than once. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export type OptionValues = Readonly<Record<string, string | boolean | string[] | undefined>>;

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  readonly options: OptionSpecs;
  readonly positionals: { readonly min: number; readonly max: number; readonly names: string };
  run(
    context: CommandContext,
    values: OptionValues,
    positionals: readonly string[],
  ): Promise<number>;
}
