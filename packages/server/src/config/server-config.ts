// The server's configuration: one schema, resolved defaults < environment < flags, unknown flags
// rejected, the result frozen. The only module of the server that reads process.env (through
// the `env` argument). docs/configuration.md is generated from SERVER_OPTIONS.

import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseCidr } from '../http/client-address.js';

export interface ServerConfig {
  readonly dataDir: string;
  readonly listenHost: string;
  readonly listenPort: number;
  /** Base URL clients and agents are given (StreamUrl, install links). */
  readonly publicUrl: string | undefined;
  readonly region: string;
  readonly tlsCert: string | undefined;
  readonly tlsKey: string | undefined;
  readonly tlsSelfSigned: boolean;
  /** Serve plain HTTP on a non-loopback address (only behind a TLS-terminating proxy). */
  readonly allowInsecureHttp: boolean;
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Bucket for recordings without s3BucketName. */
  readonly recordingBucket: string;
  /** Where buckets are: directories under DATA_DIR/objects, or an S3-compatible endpoint. */
  readonly objectStore: ObjectStoreConfig;
  /** Recordings older than this many days are deleted; 0 keeps them. */
  readonly recordingRetentionDays: number;
  /** A signed digest after this many audit records… */
  readonly auditDigestEvery: number;
  /** …and at least this often (seconds) while records arrive. */
  readonly auditDigestIntervalSeconds: number;
  /** Test only: the length of a preferences "minute" in ms (60000). */
  readonly sessionMinuteMs: number;
  /** Most bytes of full command output kept per invocation (every step, both streams). */
  readonly maxCommandOutputBytes: number;
  /** The built web console; undefined serves the one built in this repository (packages/web). */
  readonly consoleDir: string | undefined;
  /** A node unseen this long (seconds) is Inactive; 0 never. */
  readonly nodeInactiveAfterSeconds: number;
  /** A node unseen this long (seconds) is deregistered by the maintenance sweep; 0 never. */
  readonly nodeDeregisterAfterSeconds: number;
  /** Agent bundles served at /agent/… and by /install.sh (absolute path), or none. */
  readonly agentBundleDir: string | undefined;
  /** Addresses and CIDR blocks of reverse proxies whose X-Forwarded-For is believed. */
  readonly trustedProxies: readonly string[];
}

export type ObjectStoreConfig =
  | { readonly driver: 'directory' }
  | {
      readonly driver: 's3';
      readonly endpoint: string | undefined;
      readonly region: string;
      readonly forcePathStyle: boolean;
      /** Explicit keys; undefined: the AWS SDK's default chain (environment, profile, IMDS …). */
      readonly credentials:
        { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
      /** A PEM file of extra CAs to trust for the endpoint (absolute path). */
      readonly caFile: string | undefined;
    };

type Kind = 'string' | 'port' | 'boolean' | 'host-port' | 'level' | 'integer' | 'bytes';

export interface OptionSpec {
  readonly flag: string;
  readonly env: string;
  readonly kind: Kind;
  readonly default: string | boolean | undefined;
  readonly description: string;
}

/** Every option, in the order the docs list them. */
export const SERVER_OPTIONS = {
  dataDir: {
    flag: '--data-dir',
    env: 'OPENSSM_DATA_DIR',
    kind: 'string',
    default: './.openssm',
    description: 'Directory for the SQLite database, admin credentials and TLS material.',
  },
  listen: {
    flag: '--listen',
    env: 'OPENSSM_LISTEN',
    kind: 'host-port',
    default: '127.0.0.1:8443',
    description: 'Address and port of the one listener (API, gateway, console). Port 0 picks one.',
  },
  publicUrl: {
    flag: '--public-url',
    env: 'OPENSSM_PUBLIC_URL',
    kind: 'string',
    default: undefined,
    description:
      'URL clients and agents reach the server at, when it differs from the listen address (for example behind a TLS proxy).',
  },
  region: {
    flag: '--region',
    env: 'OPENSSM_REGION',
    kind: 'string',
    default: 'us-east-1',
    description: 'The AWS region name requests must be signed for.',
  },
  tlsCert: {
    flag: '--tls-cert',
    env: 'OPENSSM_TLS_CERT',
    kind: 'string',
    default: undefined,
    description: 'PEM certificate chain file; with --tls-key the server serves HTTPS/WSS.',
  },
  tlsKey: {
    flag: '--tls-key',
    env: 'OPENSSM_TLS_KEY',
    kind: 'string',
    default: undefined,
    description: 'PEM private key file for --tls-cert.',
  },
  tlsSelfSigned: {
    flag: '--tls-self-signed',
    env: 'OPENSSM_TLS_SELF_SIGNED',
    kind: 'boolean',
    default: false,
    description:
      'Generate a private CA and a server certificate in the data directory and serve HTTPS with them.',
  },
  allowInsecureHttp: {
    flag: '--allow-insecure-http',
    env: 'OPENSSM_ALLOW_INSECURE_HTTP',
    kind: 'boolean',
    default: false,
    description:
      'Serve plain HTTP on a non-loopback address. Only for a server behind a TLS-terminating proxy.',
  },
  logLevel: {
    flag: '--log-level',
    env: 'OPENSSM_LOG_LEVEL',
    kind: 'level',
    default: 'info',
    description: 'debug, info, warn or error.',
  },
  recordingBucket: {
    flag: '--recording-bucket',
    env: 'OPENSSM_RECORDING_BUCKET',
    kind: 'string',
    default: 'openssm-session-recordings',
    description:
      'Bucket for session recordings and transcripts when the session preferences name no s3BucketName. With --object-store s3 it must exist.',
  },
  objectStore: {
    flag: '--object-store',
    env: 'OPENSSM_OBJECT_STORE',
    kind: 'string',
    default: 'directory',
    description:
      'Where buckets of recordings, transcripts and full command output live: `directory` (a directory per bucket under DATA_DIR/objects) or `s3` (an S3-compatible endpoint, the --s3-* options).',
  },
  s3Endpoint: {
    flag: '--s3-endpoint',
    env: 'OPENSSM_S3_ENDPOINT',
    kind: 'string',
    default: undefined,
    description:
      'With --object-store s3: the endpoint URL, e.g. https://minio.internal:9000; unset uses AWS S3 in --s3-region.',
  },
  s3Region: {
    flag: '--s3-region',
    env: 'OPENSSM_S3_REGION',
    kind: 'string',
    default: 'us-east-1',
    description: "With --object-store s3: the buckets' region, which requests are signed for.",
  },
  s3ForcePathStyle: {
    flag: '--s3-force-path-style',
    env: 'OPENSSM_S3_FORCE_PATH_STYLE',
    kind: 'boolean',
    default: false,
    description:
      'With --object-store s3: address buckets as ENDPOINT/BUCKET/KEY rather than BUCKET.ENDPOINT/KEY (MinIO and most self-hosted servers).',
  },
  s3AccessKeyId: {
    flag: '--s3-access-key-id',
    env: 'OPENSSM_S3_ACCESS_KEY_ID',
    kind: 'string',
    default: undefined,
    description:
      "With --object-store s3: an access key id, with --s3-secret-access-key. Unset: the AWS SDK's chain (AWS_ACCESS_KEY_ID…, AWS_PROFILE and ~/.aws, web identity, instance role).",
  },
  s3SecretAccessKey: {
    flag: '--s3-secret-access-key',
    env: 'OPENSSM_S3_SECRET_ACCESS_KEY',
    kind: 'string',
    default: undefined,
    description:
      'The secret for --s3-access-key-id. Prefer the environment variable: a flag is visible to other users in the process list. Never logged.',
  },
  s3CaFile: {
    flag: '--s3-ca-file',
    env: 'OPENSSM_S3_CA_FILE',
    kind: 'string',
    default: undefined,
    description:
      "With --object-store s3: a PEM file of CA certificates to trust for the endpoint, besides the system's.",
  },
  recordingRetentionDays: {
    flag: '--recording-retention-days',
    env: 'OPENSSM_RECORDING_RETENTION_DAYS',
    kind: 'integer',
    default: '0',
    description:
      'Delete session recordings (and their transcripts) this many days after the session started; each deletion is audited (RecordingDeleted). 0 keeps them.',
  },
  auditDigestEvery: {
    flag: '--audit-digest-every',
    env: 'OPENSSM_AUDIT_DIGEST_EVERY',
    kind: 'integer',
    default: '1000',
    description: 'Write a signed digest record after this many audit records.',
  },
  auditDigestInterval: {
    flag: '--audit-digest-interval',
    env: 'OPENSSM_AUDIT_DIGEST_INTERVAL',
    kind: 'integer',
    default: '3600',
    description:
      'Write a signed digest at least this often, in seconds, while audit records arrive.',
  },
  sessionMinuteMs: {
    flag: '--session-minute-ms',
    env: 'OPENSSM_SESSION_MINUTE_MS',
    kind: 'integer',
    default: '60000',
    description:
      'Test only: how many milliseconds one minute of idleSessionTimeout and maxSessionDuration lasts. Leave at 60000 in production.',
  },
  maxCommandOutput: {
    flag: '--max-command-output',
    env: 'OPENSSM_MAX_COMMAND_OUTPUT',
    kind: 'bytes',
    default: '100MiB',
    description:
      'Most full stdout/stderr kept per Run Command invocation (every step, both streams), in bytes or with KiB, MiB or GiB; what exceeds it is cut with a marker.',
  },
  consoleDir: {
    flag: '--console-dir',
    env: 'OPENSSM_CONSOLE_DIR',
    kind: 'string',
    default: undefined,
    description:
      'Directory of the built web console served at /console/; unset serves the one `npm install` builds in packages/web/console-dist.',
  },
  nodeInactiveAfter: {
    flag: '--node-inactive-after',
    env: 'OPENSSM_NODE_INACTIVE_AFTER',
    kind: 'integer',
    default: '0',
    description:
      'Seconds a node may go unseen (no control channel, no heartbeat) before DescribeInstanceInformation shows it Inactive instead of ConnectionLost; at least 600. 0 never.',
  },
  nodeDeregisterAfter: {
    flag: '--node-deregister-after',
    env: 'OPENSSM_NODE_DEREGISTER_AFTER',
    kind: 'integer',
    default: '0',
    description:
      'Seconds a node may go unseen before the hourly sweep deregisters it (credentials revoked, audited as NodeAutoDeregistered); at least 3600. 0 never (Auto Scaling fleets: a few days).',
  },
  agentBundleDir: {
    flag: '--agent-bundle-dir',
    env: 'OPENSSM_AGENT_BUNDLE_DIR',
    kind: 'string',
    default: undefined,
    description:
      'Directory of agent bundles made by `npm run build:agent-bundle` (VERSION/linux-ARCH/openssm-agent.tar.gz); the newest is served at /agent/latest and installed by /install.sh (docs/install.md).',
  },
  trustedProxies: {
    flag: '--trusted-proxies',
    env: 'OPENSSM_TRUSTED_PROXIES',
    kind: 'string',
    default: undefined,
    description:
      'Comma-separated addresses or CIDR blocks (10.0.0.0/8, fd00::/8) of reverse proxies in front of the server. Only a request from one of them has its X-Forwarded-For read: the caller is the right-most address there that is not a trusted proxy. That address is what sign-in throttling, aws:SourceIp and the audit trail see. Unset: the peer address, X-Forwarded-For ignored.',
  },
} as const satisfies Record<string, OptionSpec>;

type OptionName = keyof typeof SERVER_OPTIONS;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Resolves the configuration from `argv` (flags only, no verb) and `env`. */
export function resolveServerConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): ServerConfig {
  const raw = new Map<OptionName, string | boolean>();
  for (const name of Object.keys(SERVER_OPTIONS) as OptionName[]) {
    const spec: OptionSpec = SERVER_OPTIONS[name];
    if (spec.default !== undefined) raw.set(name, spec.default);
    const fromEnv = env[spec.env];
    if (fromEnv !== undefined && fromEnv !== '') raw.set(name, fromEnv);
  }
  const byFlag = new Map<string, OptionName>(
    (Object.keys(SERVER_OPTIONS) as OptionName[]).map((name) => [SERVER_OPTIONS[name].flag, name]),
  );
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const name = byFlag.get(flag);
    if (name === undefined) throw new ConfigError(`unknown option ${flag}`);
    if (SERVER_OPTIONS[name].kind === 'boolean' && inline === undefined) {
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
  const bool = (name: OptionName): boolean => {
    const value = raw.get(name);
    if (typeof value === 'boolean') return value;
    if (value === undefined) return false;
    if (/^(1|true|yes|on)$/i.test(value)) return true;
    if (/^(0|false|no|off)$/i.test(value)) return false;
    throw new ConfigError(`${SERVER_OPTIONS[name].flag} must be true or false, got ${value}`);
  };

  const [listenHost, listenPort] = parseHostPort(text('listen')!);
  const tlsCert = text('tlsCert');
  const tlsKey = text('tlsKey');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key go together');
  }
  const tlsSelfSigned = bool('tlsSelfSigned');
  if (tlsSelfSigned && tlsCert !== undefined) {
    throw new ConfigError('choose either --tls-self-signed or --tls-cert/--tls-key');
  }
  const logLevel = text('logLevel')!;
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`--log-level must be debug, info, warn or error, got ${logLevel}`);
  }
  const region = text('region')!;
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new ConfigError(`invalid --region ${region}`);
  const publicUrl = text('publicUrl');
  if (publicUrl !== undefined && !/^(https?):\/\/[^/\s]+\/?$/.test(publicUrl)) {
    throw new ConfigError(
      `--public-url must be an http(s) origin such as https://ssm.example.com, got ${publicUrl}`,
    );
  }
  const integer = (name: OptionName, min: number, max: number): number => {
    const value = text(name) ?? '';
    const parsed = /^[0-9]{1,15}$/.test(value) ? Number(value) : NaN;
    if (!(parsed >= min && parsed <= max)) {
      throw new ConfigError(
        `${SERVER_OPTIONS[name].flag} must be a whole number from ${String(min)} to ${String(max)}, got ${value}`,
      );
    }
    return parsed;
  };
  const recordingBucket = text('recordingBucket')!;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(recordingBucket)) {
    throw new ConfigError(
      `--recording-bucket must be a valid S3 bucket name, got ${recordingBucket}`,
    );
  }
  const objectStore = parseObjectStore(text, bool, cwd);
  const maxCommandOutputBytes = parseBytes(text('maxCommandOutput')!);
  // Shorter would mark nodes between two heartbeats (every 5 minutes) as gone.
  const zeroOrAtLeast = (name: OptionName, min: number): number => {
    const value = integer(name, 0, 10 * 365 * 86_400);
    if (value !== 0 && value < min) {
      throw new ConfigError(
        `${SERVER_OPTIONS[name].flag} must be 0 (never) or at least ${String(min)} seconds, got ${String(value)}`,
      );
    }
    return value;
  };
  const config: ServerConfig = {
    dataDir: resolve(cwd, text('dataDir')!),
    listenHost,
    listenPort,
    publicUrl: publicUrl?.replace(/\/$/, ''),
    region,
    tlsCert: tlsCert === undefined ? undefined : resolve(cwd, tlsCert),
    tlsKey: tlsKey === undefined ? undefined : resolve(cwd, tlsKey),
    tlsSelfSigned,
    allowInsecureHttp: bool('allowInsecureHttp'),
    logLevel: logLevel as ServerConfig['logLevel'],
    recordingBucket,
    objectStore,
    recordingRetentionDays: integer('recordingRetentionDays', 0, 36_500),
    auditDigestEvery: integer('auditDigestEvery', 1, 1_000_000),
    auditDigestIntervalSeconds: integer('auditDigestInterval', 1, 86_400),
    sessionMinuteMs: integer('sessionMinuteMs', 1, 60_000),
    maxCommandOutputBytes,
    consoleDir: text('consoleDir') === undefined ? undefined : resolve(cwd, text('consoleDir')!),
    nodeInactiveAfterSeconds: zeroOrAtLeast('nodeInactiveAfter', 600),
    nodeDeregisterAfterSeconds: zeroOrAtLeast('nodeDeregisterAfter', 3600),
    agentBundleDir:
      text('agentBundleDir') === undefined ? undefined : resolve(cwd, text('agentBundleDir')!),
    trustedProxies: Object.freeze(parseTrustedProxies(text('trustedProxies') ?? '')),
  };
  const tls = config.tlsCert !== undefined || config.tlsSelfSigned;
  if (!tls && !isLoopback(config.listenHost) && !config.allowInsecureHttp) {
    throw new ConfigError(
      `refusing plain HTTP on ${config.listenHost}: use --tls-cert/--tls-key or --tls-self-signed, or --allow-insecure-http behind a TLS proxy`,
    );
  }
  return Object.freeze(config);
}

function parseObjectStore(
  text: (name: OptionName) => string | undefined,
  bool: (name: OptionName) => boolean,
  cwd: string,
): ObjectStoreConfig {
  const driver = text('objectStore');
  const s3Options: OptionName[] = [
    's3Endpoint',
    's3ForcePathStyle',
    's3AccessKeyId',
    's3SecretAccessKey',
    's3CaFile',
  ];
  if (driver === 'directory') {
    const stray = s3Options.find((name) =>
      name === 's3ForcePathStyle' ? bool(name) : text(name) !== undefined,
    );
    if (stray !== undefined) {
      throw new ConfigError(`${SERVER_OPTIONS[stray].flag} needs --object-store s3`);
    }
    return { driver };
  }
  if (driver !== 's3') {
    throw new ConfigError(`--object-store must be directory or s3, got ${driver ?? ''}`);
  }
  const endpoint = text('s3Endpoint');
  if (endpoint !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) {
    throw new ConfigError(
      `--s3-endpoint must be an http(s) origin such as https://minio.internal:9000, got ${endpoint}`,
    );
  }
  const region = text('s3Region')!;
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new ConfigError(`invalid --s3-region ${region}`);
  const accessKeyId = text('s3AccessKeyId');
  const secretAccessKey = text('s3SecretAccessKey');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError('--s3-access-key-id and --s3-secret-access-key go together');
  }
  const caFile = text('s3CaFile');
  return {
    driver,
    endpoint: endpoint?.replace(/\/$/, ''),
    region,
    forcePathStyle: bool('s3ForcePathStyle'),
    credentials:
      accessKeyId === undefined || secretAccessKey === undefined
        ? undefined
        : { accessKeyId, secretAccessKey },
    caFile: caFile === undefined ? undefined : resolve(cwd, caFile),
  };
}

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** `1048576`, `512KiB`, `100MiB`, `2GiB` → bytes. */
function parseBytes(value: string): number {
  const match = /^([0-9]{1,12})\s*(KiB|MiB|GiB)?$/.exec(value.trim());
  const bytes = match === null ? NaN : Number(match[1]) * UNITS[match[2] ?? '']!;
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new ConfigError(
      `--max-command-output must be a number of bytes, or of KiB, MiB or GiB, got ${value}`,
    );
  }
  return bytes;
}

/** `10.0.0.0/8, 192.0.2.7` → the entries, each checked; at most 64 (a list, not a firewall). */
function parseTrustedProxies(value: string): string[] {
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length > 64) throw new ConfigError('--trusted-proxies takes at most 64 entries');
  for (const entry of entries) {
    if (parseCidr(entry) === undefined) {
      throw new ConfigError(
        `--trusted-proxies takes IP addresses or CIDR blocks such as 10.0.0.0/8, got ${entry}`,
      );
    }
  }
  return entries;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function parseHostPort(value: string): [string, number] {
  const match = /^(?:\[([0-9a-fA-F:]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(value);
  if (match === null) throw new ConfigError(`--listen must be HOST:PORT, got ${value}`);
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  if (port > 65535) throw new ConfigError(`--listen port ${port} is out of range`);
  if (match[1] !== undefined && isIP(host) !== 6)
    throw new ConfigError(`invalid IPv6 address ${host}`);
  return [host, port];
}

/** The Markdown table of docs/configuration.md, generated so the docs never drift. */
/** How the object store options fit together; part of docs/configuration.md. */
const OBJECT_STORE_DOCS = [
  '### Object store',
  '',
  'Session recordings and transcripts ([session-logs.md](session-logs.md)) and the full output of Run Command',
  '([run-command.md](run-command.md)) are objects in buckets. With `--object-store directory` (the default) a',
  'bucket is a directory under `DATA_DIR/objects`. With `--object-store s3` they go to an S3-compatible',
  'endpoint through the AWS SDK ([decision 0013](decisions/0013-s3-object-store.md)):',
  '',
  '```sh',
  'export OPENSSM_S3_ACCESS_KEY_ID=… OPENSSM_S3_SECRET_ACCESS_KEY=…',
  'openssm server --object-store s3 --s3-endpoint https://minio.internal:9000 --s3-force-path-style \\',
  '  --s3-ca-file /etc/openssm/minio-ca.pem',
  '```',
  '',
  '- Buckets are not created for you: create the `--recording-bucket`, every `s3BucketName` the session',
  "  preferences name, and `openssm-output` (or each command's `OutputS3BucketName`) first. A missing bucket",
  '  is a write failure, reported and retried as [session-logs.md](session-logs.md) describes.',
  '- The keys need `s3:PutObject`, `s3:GetObject` and `s3:DeleteObject` on the objects under the key prefix,',
  '  `s3:ListBucket` on the bucket (parts are listed by prefix) and `s3:AbortMultipartUpload`.',
  '- While a recording is written it is kept as parts beside its key (`<key>.parts/<offset>`); they become the',
  '  object when the session ends — one request, or a multipart upload of 8 MiB pieces when larger.',
  '- Without `--s3-access-key-id` the AWS SDK finds credentials itself: `AWS_ACCESS_KEY_ID` /',
  '  `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, `AWS_PROFILE` with `~/.aws/credentials` and `~/.aws/config`,',
  '  a web identity token, or the ECS or EC2 instance role. Secrets are never logged or printed.',
];

export function renderConfigurationDocs(): string {
  const rows = (Object.keys(SERVER_OPTIONS) as OptionName[]).map((name) => {
    const spec: OptionSpec = SERVER_OPTIONS[name];
    const fallback = spec.default === undefined ? '—' : `\`${String(spec.default)}\``;
    return `| \`${spec.flag}\` | \`${spec.env}\` | ${fallback} | ${spec.description} |`;
  });
  return [
    '# Configuration',
    '',
    '`openssm server` (and `openssm-server`) reads each option from its flag, else its environment variable, else the',
    'default. Unknown flags are refused. This page is generated from',
    '`packages/server/src/config/server-config.ts` (`npm run docs:config`).',
    '',
    '## Server',
    '',
    '| Flag | Environment | Default | Meaning |',
    '| --- | --- | --- | --- |',
    ...rows,
    '',
    ...OBJECT_STORE_DOCS,
    '',
  ].join('\n');
}
