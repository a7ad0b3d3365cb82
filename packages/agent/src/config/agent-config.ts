// The agent's configuration: one schema, resolved defaults < environment < flags, flags that do
// not belong to the command rejected, the result frozen and passed down. The only module of the
// agent that reads the environment (through the `env` argument).

import { resolve } from 'node:path';
import { SYSTEM_PATH } from '../session/command-runner.js';
import { LOG_LEVELS, type LogLevel } from '../logging/logger.js';
import { DEFAULT_DENIED_DESTINATIONS, DestinationPolicy } from '../port/destination-policy.js';
import type { ProxySettings } from '../net/proxy.js';

export const AGENT_COMMANDS = ['register', 'run', 'status', 'deregister', 'update'] as const;
export type AgentCommand = (typeof AGENT_COMMANDS)[number];

export interface AgentConfig {
  readonly command: AgentCommand;
  /** Absolute path of the state directory (registration, key, cached credentials). */
  readonly stateDir: string;
  readonly logLevel: LogLevel;
  /** register: the server's base URL (an http(s) origin, no path). */
  readonly server: string | undefined;
  readonly activationCode: string | undefined;
  readonly activationId: string | undefined;
  /** register: the region requests are signed for (must be the server's). */
  readonly region: string;
  /** Extra CA certificate (PEM file, absolute path) trusted besides the system's. */
  readonly caFile: string | undefined;
  /** Pinned SHA-256 fingerprint: 64 upper-case hex digits, no colons. */
  readonly caFingerprint: string | undefined;
  /** register: the node's name (the activation's default name otherwise). */
  readonly name: string | undefined;
  /** register: tags added to the activation's (`K=V,K2=V2`). */
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  /** register: replace an existing registration with a new identity. */
  readonly force: boolean;
  readonly heartbeatIntervalMs: number;
  readonly keyRotationDays: number;
  readonly pingIntervalMs: number;
  readonly connectionTimeoutMs: number;
  readonly reconnectBaseMs: number;
  readonly reconnectCapMs: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment (lower case wins, as curl's). */
  readonly proxy: ProxySettings;
  /** Where install.sh put the agent bundle (update swaps it). */
  readonly installDir: string;
  /** run: check the server's advertised version and update (then restart) on its own. */
  readonly autoUpdate: boolean;
  /** What sessions start from (PATH, LANG); the session adds HOME, USER, SHELL, TERM. */
  readonly sessionEnvironment: Readonly<Record<string, string>>;
  /** Port sessions: destinations refused (comma-separated CIDR blocks or addresses, or none). */
  readonly portForwardDeny: string;
}

type Kind = 'string' | 'url' | 'boolean' | 'level' | 'seconds' | 'days' | 'fingerprint' | 'region';

export interface AgentOptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly kind: Kind;
  readonly default: string | boolean | undefined;
  readonly commands: readonly AgentCommand[];
  readonly description: string;
}

const ALL: readonly AgentCommand[] = AGENT_COMMANDS;
const CONNECTING: readonly AgentCommand[] = ['register', 'run', 'deregister', 'update'];

/** Every option, in the order the docs list them. */
export const AGENT_OPTIONS = {
  stateDir: {
    flag: '--state-dir',
    env: 'OPENSSM_AGENT_STATE_DIR',
    kind: 'string',
    default: '/var/lib/openssm-agent',
    commands: ALL,
    description:
      'Directory (mode 0700) holding registration.json, private-key.pem and credentials.json.',
  },
  logLevel: {
    flag: '--log-level',
    env: 'OPENSSM_AGENT_LOG_LEVEL',
    kind: 'level',
    default: 'info',
    commands: ALL,
    description: 'debug, info, warn or error (JSON lines on stderr).',
  },
  server: {
    flag: '--server',
    env: 'OPENSSM_AGENT_SERVER',
    kind: 'url',
    default: undefined,
    commands: ['register'],
    description: 'The server URL, e.g. https://ssm.example.com:8443 (required to register).',
  },
  activationCode: {
    flag: '--activation-code',
    env: 'OPENSSM_AGENT_ACTIVATION_CODE',
    kind: 'string',
    default: undefined,
    commands: ['register'],
    description:
      'Activation code from CreateActivation (the environment keeps it out of the process list).',
  },
  activationId: {
    flag: '--activation-id',
    env: 'OPENSSM_AGENT_ACTIVATION_ID',
    kind: 'string',
    default: undefined,
    commands: ['register'],
    description: 'Activation id from CreateActivation.',
  },
  region: {
    flag: '--region',
    env: 'OPENSSM_AGENT_REGION',
    kind: 'region',
    default: 'us-east-1',
    commands: ['register'],
    description: "The server's region; every request is signed for it.",
  },
  caFile: {
    flag: '--ca-file',
    env: 'OPENSSM_AGENT_CA_FILE',
    kind: 'string',
    default: undefined,
    commands: CONNECTING,
    description:
      'PEM file of a CA to trust besides the system CAs (kept in the registration; `run` may override it).',
  },
  caFingerprint: {
    flag: '--ca-fingerprint',
    env: 'OPENSSM_AGENT_CA_FINGERPRINT',
    kind: 'fingerprint',
    default: undefined,
    commands: CONNECTING,
    description:
      "SHA-256 fingerprint (hex, colons optional) of the server's certificate or of the CA that issued it; only that certificate is accepted.",
  },
  name: {
    flag: '--name',
    env: 'OPENSSM_AGENT_NAME',
    kind: 'string',
    default: undefined,
    commands: ['register'],
    description: "The node's name (default: the activation's default instance name).",
  },
  tags: {
    flag: '--tags',
    env: 'OPENSSM_AGENT_TAGS',
    kind: 'string',
    default: undefined,
    commands: ['register'],
    description:
      "Tags for the node, `Key=Value,Key2=Value2`, added to the activation's (which win on a shared key).",
  },
  force: {
    flag: '--force',
    env: 'OPENSSM_AGENT_FORCE',
    kind: 'boolean',
    default: false,
    commands: ['register'],
    description:
      'Register again over an existing registration, as a new node (new key and fingerprint).',
  },
  installDir: {
    flag: '--install-dir',
    env: 'OPENSSM_AGENT_INSTALL_DIR',
    kind: 'string',
    default: '/opt/openssm-agent',
    commands: ['update', 'run'],
    description: 'Where install.sh installed the agent bundle; `update` replaces it.',
  },
  autoUpdate: {
    flag: '--auto-update',
    env: 'OPENSSM_AGENT_AUTO_UPDATE',
    kind: 'boolean',
    default: false,
    commands: ['run'],
    description:
      "Opt-in: every 6 hours (and a minute after start) install the server's newer agent bundle, verified, and restart; the registration is kept.",
  },
  heartbeatInterval: {
    flag: '--heartbeat-interval',
    env: 'OPENSSM_AGENT_HEARTBEAT_INTERVAL',
    kind: 'seconds',
    default: '300',
    commands: ['run'],
    description: 'Seconds between UpdateInstanceInformation calls (AWS: 5 minutes).',
  },
  keyRotationDays: {
    flag: '--key-rotation-days',
    env: 'OPENSSM_AGENT_KEY_ROTATION_DAYS',
    kind: 'days',
    default: '30',
    commands: ['run'],
    description: 'Rotate the RSA key once it is this many days old (and whenever the server asks).',
  },
  pingInterval: {
    flag: '--ping-interval',
    env: 'OPENSSM_AGENT_PING_INTERVAL',
    kind: 'seconds',
    default: '54',
    commands: ['run'],
    description: "Seconds between WebSocket pings on every channel (AWS's agent: 54).",
  },
  connectionTimeout: {
    flag: '--connection-timeout',
    env: 'OPENSSM_AGENT_CONNECTION_TIMEOUT',
    kind: 'seconds',
    default: '114',
    commands: ['run'],
    description:
      "Seconds without a pong or any message after which a channel is dropped and reopened (AWS's agent: 114).",
  },
  reconnectBase: {
    flag: '--reconnect-base',
    env: 'OPENSSM_AGENT_RECONNECT_BASE',
    kind: 'seconds',
    default: '1',
    commands: ['run'],
    description: 'First reconnect delay ceiling in seconds; doubles per failure, with full jitter.',
  },
  reconnectCap: {
    flag: '--reconnect-cap',
    env: 'OPENSSM_AGENT_RECONNECT_CAP',
    kind: 'seconds',
    default: '60',
    commands: ['run'],
    description: 'Largest reconnect delay ceiling in seconds.',
  },
  portForwardDeny: {
    flag: '--port-forward-deny',
    env: 'OPENSSM_AGENT_PORT_FORWARD_DENY',
    kind: 'string',
    default: DEFAULT_DENIED_DESTINATIONS,
    commands: ['run'],
    description:
      'Destinations port sessions may not reach: comma-separated CIDR blocks or addresses (a host name is refused when any of its addresses is listed), or `none`. The default covers link-local addresses and cloud metadata services.',
  },
} as const satisfies Record<string, AgentOptionSpec>;

type OptionName = keyof typeof AGENT_OPTIONS;
const OPTION_NAMES = Object.keys(AGENT_OPTIONS) as OptionName[];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Resolves the configuration of `command` from `argv` (its flags, no verb) and `env`.
 * Environment variables of options the command does not take are ignored; flags are refused.
 */
export function resolveAgentConfig(
  command: string,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): AgentConfig {
  if (!(AGENT_COMMANDS as readonly string[]).includes(command)) {
    throw new ConfigError(`unknown command ${command}`);
  }
  const verb = command as AgentCommand;
  const applies = (name: OptionName): boolean =>
    (AGENT_OPTIONS[name].commands as readonly AgentCommand[]).includes(verb);
  const raw = new Map<OptionName, string | boolean>();
  for (const name of OPTION_NAMES.filter(applies)) {
    const spec: AgentOptionSpec = AGENT_OPTIONS[name];
    if (spec.default !== undefined) raw.set(name, spec.default);
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') raw.set(name, fromEnv);
  }
  const byFlag = new Map<string, OptionName>(
    OPTION_NAMES.map((name) => [AGENT_OPTIONS[name].flag, name]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const equals = arg.indexOf('=');
    const [flag, inline] =
      equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
    const name = byFlag.get(flag);
    if (name === undefined) throw new ConfigError(`unknown option ${flag}`);
    if (!applies(name)) throw new ConfigError(`${flag} is not an option of ${verb}`);
    if (AGENT_OPTIONS[name].kind === 'boolean' && inline === undefined) {
      raw.set(name, true);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    raw.set(name, value);
  }

  const text = (name: OptionName): string | undefined => {
    const value = raw.get(name);
    return value === undefined ? undefined : String(value);
  };
  const flagOf = (name: OptionName): string => AGENT_OPTIONS[name].flag;
  const bool = (name: OptionName): boolean => {
    const value = raw.get(name);
    if (typeof value === 'boolean') return value;
    if (value === undefined) return false;
    if (/^(1|true|yes|on)$/i.test(value)) return true;
    if (/^(0|false|no|off)$/i.test(value)) return false;
    throw new ConfigError(`${flagOf(name)} must be true or false, got ${value}`);
  };
  /** Seconds (fractions allowed, so tests can run fast) as milliseconds; 0 when not applicable. */
  const millis = (name: OptionName): number => {
    const value = text(name);
    if (value === undefined) return 0;
    const seconds = Number(value);
    if (!/^\d+(\.\d+)?$/.test(value) || !(seconds > 0) || seconds > 7 * 24 * 3600) {
      throw new ConfigError(`${flagOf(name)} must be a positive number of seconds, got ${value}`);
    }
    return Math.round(seconds * 1000);
  };

  const logLevel = text('logLevel')!;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError(`--log-level must be debug, info, warn or error, got ${logLevel}`);
  }
  const region = text('region') ?? AGENT_OPTIONS.region.default;
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new ConfigError(`invalid --region ${region}`);
  const server = text('server');
  if (server !== undefined) assertServerUrl(server);
  const caFile = text('caFile');
  const pin = text('caFingerprint');
  if (caFile !== undefined && pin !== undefined) {
    throw new ConfigError('choose either --ca-file or --ca-fingerprint');
  }
  const keyRotation = text('keyRotationDays');
  let keyRotationDays = 0;
  if (keyRotation !== undefined) {
    keyRotationDays = Number(keyRotation);
    if (!/^\d+(\.\d+)?$/.test(keyRotation) || !(keyRotationDays > 0) || keyRotationDays > 3650) {
      throw new ConfigError(`--key-rotation-days must be a positive number, got ${keyRotation}`);
    }
  }
  if (verb === 'register') {
    for (const name of ['server', 'activationCode', 'activationId'] as const) {
      if (text(name) === undefined) {
        throw new ConfigError(`register needs ${flagOf(name)} (or ${AGENT_OPTIONS[name].env})`);
      }
    }
  }
  const reconnectBaseMs = millis('reconnectBase');
  const reconnectCapMs = millis('reconnectCap');
  if (reconnectCapMs < reconnectBaseMs) {
    throw new ConfigError('--reconnect-cap must not be below --reconnect-base');
  }
  const pingIntervalMs = millis('pingInterval');
  const connectionTimeoutMs = millis('connectionTimeout');
  if (verb === 'run' && connectionTimeoutMs <= pingIntervalMs) {
    throw new ConfigError('--connection-timeout must be longer than --ping-interval');
  }

  const portForwardDeny = text('portForwardDeny') ?? '';
  try {
    DestinationPolicy.parse(portForwardDeny);
  } catch (error) {
    throw new ConfigError(`--port-forward-deny: ${(error as Error).message}`);
  }

  const sessionEnvironment: Record<string, string> = { PATH: env['PATH'] || SYSTEM_PATH };
  if (env['LANG']) sessionEnvironment['LANG'] = env['LANG'];

  const fromEnv = (name: string): string | undefined =>
    env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const proxy: ProxySettings = Object.freeze({
    httpsProxy: fromEnv('https_proxy'),
    httpProxy: fromEnv('http_proxy'),
    noProxy: fromEnv('no_proxy') ?? '',
  });
  for (const [name, value] of [
    ['HTTPS_PROXY', proxy.httpsProxy],
    ['HTTP_PROXY', proxy.httpProxy],
  ] as const) {
    if (value !== undefined) assertProxyUrl(name, value);
  }

  const config: AgentConfig = {
    command: verb,
    stateDir: resolve(cwd, text('stateDir')!),
    logLevel: logLevel as LogLevel,
    server: server?.replace(/\/$/, ''),
    activationCode: text('activationCode'),
    activationId: text('activationId'),
    region,
    caFile: caFile === undefined ? undefined : resolve(cwd, caFile),
    caFingerprint: pin === undefined ? undefined : normalizeFingerprint(pin),
    name: text('name'),
    tags: parseTags(text('tags')),
    force: bool('force'),
    heartbeatIntervalMs: millis('heartbeatInterval'),
    keyRotationDays,
    pingIntervalMs,
    connectionTimeoutMs,
    reconnectBaseMs,
    reconnectCapMs,
    proxy,
    installDir: resolve(cwd, text('installDir') ?? AGENT_OPTIONS.installDir.default),
    autoUpdate: bool('autoUpdate'),
    sessionEnvironment: Object.freeze(sessionEnvironment),
    portForwardDeny,
  };
  return Object.freeze(config);
}

/** An http(s) origin: the JSON API is `POST /` and the channels live under `/v1/`. */
function assertServerUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`--server must be a URL such as https://ssm.example.com, got ${value}`);
  }
  if (
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new ConfigError(
      `--server must be an http(s) origin without a path, such as https://ssm.example.com:8443, got ${value}`,
    );
  }
}

/** `K=V,K2=V2` → tags; AWS's tag grammar, at most 50. */
function parseTags(given: string | undefined): { key: string; value: string }[] {
  if (given === undefined || given.trim() === '') return [];
  const tags = given.split(',').map((pair) => {
    const at = pair.indexOf('=');
    const key = at <= 0 ? '' : pair.slice(0, at).trim();
    const value = at <= 0 ? '' : pair.slice(at + 1).trim();
    if (
      !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key) ||
      !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(value)
    ) {
      throw new ConfigError(`--tags wants Key=Value pairs separated by commas, got "${pair}"`);
    }
    return { key, value };
  });
  if (tags.length > 50) throw new ConfigError('--tags: at most 50 tags');
  return tags;
}

/**
 * A proxy is an http:// or https:// origin (CONNECT carries TLS to the server; https:// reaches
 * the proxy itself over TLS); a bare host:port is taken as http.
 */
function assertProxyUrl(name: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new ConfigError(`${name} must be a URL such as http://proxy.internal:3128, got ${value}`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    (url.pathname !== '/' && url.pathname !== '')
  ) {
    throw new ConfigError(
      `${name} must be an http:// or https:// proxy origin such as http://proxy.internal:3128, got ${value}`,
    );
  }
}

/** `aa:BB:…` or `aabb…` → 64 upper-case hex digits; throws ConfigError otherwise. */
export function normalizeFingerprint(value: string): string {
  const hex = value.trim().replace(/:/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new ConfigError(
      `--ca-fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional), got ${value}`,
    );
  }
  return hex;
}

/** The Markdown section documenting the agent's options, generated so the docs never drift. */
export function renderAgentConfigurationDocs(): string {
  const rows = OPTION_NAMES.map((name) => {
    const spec: AgentOptionSpec = AGENT_OPTIONS[name];
    const fallback = spec.default === undefined ? '—' : `\`${String(spec.default)}\``;
    return `| \`${spec.flag}\` | \`${spec.env}\` | ${fallback} | ${spec.commands.join(', ')} | ${spec.description} |`;
  });
  return [
    '## Agent',
    '',
    '`openssm-agent register|run|status|deregister|update` reads each option from its flag, else its environment',
    'variable, else the default. A flag the command does not take is refused. Generated from',
    '`packages/agent/src/config/agent-config.ts`.',
    '',
    '| Flag | Environment | Default | Commands | Meaning |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
