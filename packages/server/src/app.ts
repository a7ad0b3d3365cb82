// The composition root: the only place that picks concrete drivers. Opens storage in the data
// directory, bootstraps the administrator, builds the services and the HTTP listener.

import { mkdir, readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SSM_OPERATIONS } from './api/ssm-operations.js';
import type { AuditSink } from './audit/audit-sink.js';
import { ensureAdminCredentials, type AdminCredentials } from './bootstrap/admin-credentials.js';
import type { ServerConfig } from './config/server-config.js';
import { createRequestAuthenticator } from './http/request-authenticator.js';
import { createAwsJsonDispatcher } from './http/aws-json-dispatcher.js';
import { createHttpServer } from './http/http-server.js';
import { createTrustedProxies } from './http/client-address.js';
import { registerCommandOutputRoute } from './http/command-output-route.js';
import { registerAgentDistributionRoutes } from './http/agent-distribution-route.js';
import { AgentBundleStore } from './distribution/agent-bundles.js';
import { ensureSelfSignedTls } from './tls/self-signed.js';
import { createLogger, type Logger } from './logging/logger.js';
import { createAccessEvaluator, createPolicyAuthorizer } from './policy/authorizer.js';
import { IAM_OPERATIONS } from './api/iam/iam-operations.js';
import { STS_OPERATIONS } from './api/sts/sts-operations.js';
import { ensureIamBootstrap } from './bootstrap/iam-bootstrap.js';
import { createQueryDispatcher } from './http/query-dispatcher.js';
import { createCredentialStore } from './services/credential-store.js';
import { createIamService } from './services/iam/iam-service.js';
import { createSecretBox, loadOrCreateSecretKey } from './services/secret-box.js';
import { createActivationService } from './services/activation-service.js';
import { createInProcessConnectionRegistry } from './services/connection-registry.js';
import { createDocumentService } from './services/document-service.js';
import { createInstanceService } from './services/instance-service.js';
import { createSessionService } from './services/session-service.js';
import { CommandEngine } from './services/command-engine.js';
import { CommandOutputStore } from './services/command-output.js';
import { createCommandService } from './services/command-service.js';
import { FilesystemObjectStore } from './storage/objects/filesystem-object-store.js';
import type { ObjectStore } from './storage/objects/object-store.js';
import { createChannelTokens } from './gateway/channel-tokens.js';
import { Gateway } from './gateway/gateway.js';
import { registerGatewayRoutes } from './gateway/gateway-http.js';
import type { ServerIdentity, Services } from './services/services.js';
import { LOGS_OPERATIONS } from './api/logs/logs-operations.js';
import { LOGS_TARGET_PREFIX } from './api/logs/logs-input.js';
import { CLOUDTRAIL_OPERATIONS } from './api/cloudtrail/cloudtrail-operations.js';
import { CLOUDTRAIL_TARGET_PREFIX } from './api/cloudtrail/lookup-events.js';
import { OPENSSM_OPERATIONS } from './api/openssm/openssm-operations.js';
import { OPENSSM_TARGET_PREFIX } from './api/openssm/get-session-recording.js';
import { loadOrCreateAuditSigner } from './audit/audit-signer.js';
import { AuditTrail } from './audit/audit-trail.js';
import { createJsonRouter } from './http/json-router.js';
import { createLogService, type LogService } from './services/log-service.js';
import { createRecordingService } from './services/recording-service.js';
import { createSessionLogging } from './services/session-logging.js';
import { deregisterUnseenNodes } from './services/node-lifecycle.js';
import { openSqliteStorage } from './storage/index.js';
import { withConsoleSessions } from './console/console-authenticator.js';
import { registerConsoleRoutes } from './console/console-routes.js';
import { createConsoleSessions } from './console/console-sessions.js';
import { createConsoleMfa } from './console/console-mfa.js';
import { registerConsoleMfaRoutes } from './console/console-mfa-routes.js';
import type { Storage } from './storage/repositories.js';

export const DATABASE_FILE = 'openssm.db';
/** Every server is one account, with this id in its ARNs. */
export const DEFAULT_ACCOUNT_ID = '000000000000';

export interface RunningServer {
  /** Where clients reach the API, e.g. `http://127.0.0.1:8443`. */
  readonly url: string;
  readonly port: number;
  readonly adminCredentials: AdminCredentials;
  /** With --tls-self-signed: the private CA agents and clients must trust. */
  readonly selfSignedCa?: { readonly path: string; readonly fingerprint: string };
  readonly services: Services;
  readonly storage: Storage;
  /** Runs the retention sweeps now (they also run hourly); returns what was deleted. */
  runMaintenance(): Promise<{ recordings: number; logEvents: number; nodesDeregistered?: number }>;
  /** Waits until the recordings of ended sessions are written. */
  recordingsSettled(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly log?: Logger;
  readonly now?: () => number;
  readonly audit?: AuditSink;
  /** How long a session survives its agent's data socket being gone (default 30 s). */
  readonly agentGraceMs?: number;
  /** Where objects go instead of the configured store; tests inject faults. */
  readonly objectStore?: ObjectStore;
  /** Wraps the log store the recorder writes to (tests inject faults). */
  readonly wrapLogService?: (logs: LogService) => LogService;
  /** How long an ended session's failing log writes are retried (default 10 min). */
  readonly logDrainMs?: number;
  /** How often Run Command looks at timeouts and retries (default 1 s; tests with a fake clock). */
  readonly commandTickMs?: number;
}

/** Where `npm install` builds the console (packages/web/console-dist), seen from server/dist. */
export const BUILT_CONSOLE_DIR = join(import.meta.dirname, '..', '..', 'web', 'console-dist');

/** Retention sweeps (recordings, log groups) run this often. */
export const MAINTENANCE_INTERVAL_MS = 3_600_000;
/** With the directory object store, buckets (recordings, full command output) are directories here, under the data directory. */
export const OBJECTS_DIR = 'objects';
const DEFAULT_LOG_DRAIN_MS = 600_000;
const LOG_FLUSH_MS = 1_000;

/** An agent re-creates a dropped data channel within seconds; 30 s covers a slow network. */
export const DEFAULT_AGENT_GRACE_MS = 30_000;

export async function startServer(
  config: ServerConfig,
  options: StartOptions = {},
): Promise<RunningServer> {
  const log = options.log ?? createLogger(config.logLevel);
  const now = options.now ?? Date.now;
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const storage = await openSqliteStorage(join(config.dataDir, DATABASE_FILE));
  try {
    const identity: ServerIdentity = {
      region: config.region,
      accountId: DEFAULT_ACCOUNT_ID,
      partition: 'openssm',
    };
    const selfSigned = config.tlsSelfSigned
      ? await ensureSelfSignedTls(config.dataDir, [
          config.listenHost,
          ...publicHost(config.publicUrl),
        ])
      : undefined;
    const tls =
      selfSigned ??
      (config.tlsCert !== undefined && config.tlsKey !== undefined
        ? { cert: await readFile(config.tlsCert), key: await readFile(config.tlsKey) }
        : undefined);
    // Behind a TLS proxy (--public-url https://…) clients still reach us over TLS.
    const secureTransport = tls !== undefined || config.publicUrl?.startsWith('https:') === true;
    const secretBox = createSecretBox(await loadOrCreateSecretKey(config.dataDir));
    const credentials = createCredentialStore(storage.accessKeys, secretBox);
    // The users' TOTP devices: console sign-in, and STS GetSessionToken with a TokenCode.
    const consoleMfa = createConsoleMfa(storage.iam.mfaDevices, secretBox);
    const iam = createIamService({
      iam: storage.iam,
      accessKeys: storage.accessKeys,
      credentials,
      identity,
      verifyMfaCode: (userId, code, at) => consoleMfa.verify(userId, code, at),
    });
    const admin = await ensureIamBootstrap(iam, storage.accessKeys, now());
    const adminCredentials = await ensureAdminCredentials(
      config.dataDir,
      credentials,
      storage.accessKeys,
      admin,
      now(),
    );
    const documents = createDocumentService({ repository: storage.documents, identity });
    await documents.syncBuiltIns(now());
    const signer = await loadOrCreateAuditSigner(config.dataDir);
    const trail = new AuditTrail({
      repository: storage.audit,
      signer,
      identity,
      now,
      log,
      digestEvery: config.auditDigestEvery,
      digestIntervalMs: config.auditDigestIntervalSeconds * 1000,
      ...(options.audit === undefined ? {} : { observer: options.audit }),
    });
    await trail.start();
    const auditEvent = (event: Parameters<AuditTrail['recordServiceEvent']>[0]) => {
      void trail.recordServiceEvent(event);
    };
    const logs = createLogService(storage.logs);
    const opened =
      options.objectStore === undefined
        ? await openObjectStore(config)
        : { store: options.objectStore, close: () => undefined };
    const objects = opened.store;
    const recordings = createRecordingService({
      repository: storage.recordings,
      store: objects,
      defaultBucket: config.recordingBucket,
    });
    const sessionLogging = createSessionLogging({
      identity,
      recordings: storage.recordings,
      store: recordings.store,
      defaultBucket: config.recordingBucket,
      logs: options.wrapLogService?.(logs) ?? logs,
      audit: auditEvent,
      terminate: (sessionId, output) => services.sessions.terminate(sessionId, now(), output),
      minuteMs: config.sessionMinuteMs,
      flushMs: LOG_FLUSH_MS,
      drainMs: options.logDrainMs ?? DEFAULT_LOG_DRAIN_MS,
      now,
      log,
    });
    const connections = createInProcessConnectionRegistry();
    const instances = createInstanceService({ identity, credentials, ...storage });
    const tokens = createChannelTokens(storage.channelTokens);
    let streamUrlBase = '';
    let publicUrl = '';
    const output = new CommandOutputStore(objects, log, config.maxCommandOutputBytes);
    const engine: CommandEngine = new CommandEngine({
      repository: storage.commands,
      output,
      gateway: (): Gateway => gateway,
      log,
      now,
      ...(options.commandTickMs === undefined ? {} : { tickMs: options.commandTickMs }),
    });
    const gateway: Gateway = new Gateway({
      connections,
      sessions: () => services.sessions,
      commands: () => engine,
      log,
      now,
      agentGraceMs: options.agentGraceMs ?? DEFAULT_AGENT_GRACE_MS,
      audit: auditEvent,
      identity,
    });
    const agentBundles =
      config.agentBundleDir === undefined ? undefined : new AgentBundleStore(config.agentBundleDir);
    const services: Services = {
      identity,
      activations: createActivationService(storage.activations),
      instances,
      connections,
      documents,
      sessions: createSessionService({
        sessions: storage.sessions,
        documents,
        instances,
        connections,
        tokens,
        streamUrlBase: () => streamUrlBase,
        gateway: () => gateway,
        logging: sessionLogging,
      }),
      iam,
      commands: createCommandService({
        repository: storage.commands,
        engine,
        output,
        documents,
        instances,
        identity,
        publicUrl: () => publicUrl,
      }),
      logs,
      recordings,
      audit: {
        flush: () => trail.flush(),
        lookup: (filter, page) => storage.audit.lookup(filter, page),
        scan: (fromSeq, limit) => storage.audit.scan(fromSeq, limit),
        head: () => storage.audit.head(),
        publicKeyPem: signer.publicKeyPem,
        keyFingerprint: signer.fingerprint,
      },
      nodeLifecycle: {
        inactiveAfterMs: config.nodeInactiveAfterSeconds * 1000,
        latestAgentVersion: async () => (await agentBundles?.latest())?.version,
      },
    };
    await engine.start();
    const audit: AuditSink = trail;
    const consoleSessions = createConsoleSessions({
      sessions: storage.iam.consoleSessions,
      users: storage.iam.users,
    });
    // Under TLS the cookie is Secure and host-only by its name's prefix (RFC 6265bis __Host-).
    const consoleCookie = secureTransport ? '__Host-openssm-console' : 'openssm-console';
    const authenticate = withConsoleSessions(
      createRequestAuthenticator({ storage, credentials, identity, now }),
      { sessions: consoleSessions, cookieName: consoleCookie, now },
    );
    const authorize = createPolicyAuthorizer(createAccessEvaluator(iam.resolvePrincipal));
    const jsonService = (
      targetPrefix: string,
      signingService: string,
      eventSource: string,
      operations: typeof SSM_OPERATIONS,
    ) => ({
      targetPrefix,
      dispatch: createAwsJsonDispatcher({
        targetPrefix,
        signingService,
        eventSource,
        operations,
        services,
        authenticate,
        authorize,
        secureTransport,
        audit,
        now,
        log,
      }),
    });
    const ssm = createJsonRouter([
      jsonService('AmazonSSM', 'ssm', 'ssm.amazonaws.com', SSM_OPERATIONS),
      jsonService(LOGS_TARGET_PREFIX, 'logs', 'logs.amazonaws.com', LOGS_OPERATIONS),
      jsonService(
        CLOUDTRAIL_TARGET_PREFIX,
        'cloudtrail',
        'cloudtrail.amazonaws.com',
        CLOUDTRAIL_OPERATIONS,
      ),
      jsonService(OPENSSM_TARGET_PREFIX, 'openssm', 'openssm.amazonaws.com', OPENSSM_OPERATIONS),
    ]);
    const query = createQueryDispatcher({
      operations: [...IAM_OPERATIONS, ...STS_OPERATIONS],
      services,
      authenticate,
      authorize,
      secureTransport,
      audit,
      now,
      log,
    });
    const http = createHttpServer({
      ssm,
      query,
      ...(config.trustedProxies.length === 0
        ? {}
        : { trustedProxies: createTrustedProxies(config.trustedProxies) }),
      ...(tls === undefined ? {} : { tls: { cert: tls.cert, key: tls.key } }),
    });
    registerGatewayRoutes(http, {
      gateway,
      trustedProxies: createTrustedProxies(config.trustedProxies),
      storage,
      tokens,
      identity,
      log,
      now,
      authenticate,
      authorize,
      secureTransport,
    });
    registerAgentDistributionRoutes(http, {
      bundles: agentBundles,
      publicUrl: () => publicUrl,
      ca: async () =>
        selfSigned === undefined
          ? undefined
          : {
              fingerprint: selfSigned.caFingerprint,
              pem: await readFile(selfSigned.caPath, 'utf8'),
            },
      log,
    });
    registerCommandOutputRoute(http, {
      services,
      authenticate,
      authorize,
      audit,
      secureTransport,
      now,
      log,
    });
    registerConsoleMfaRoutes(http, {
      sessions: consoleSessions,
      cookieName: consoleCookie,
      mfa: consoleMfa,
      authorize,
      secureTransport,
      region: identity.region,
      issuer: 'OpenSSM',
      audit: auditEvent,
      now,
    });
    registerConsoleRoutes(http, {
      mfa: consoleMfa,
      sessions: consoleSessions,
      cookieName: consoleCookie,
      secure: secureTransport,
      iam,
      consoleDir: config.consoleDir ?? BUILT_CONSOLE_DIR,
      audit: auditEvent,
      region: identity.region,
      now,
    });
    await http.listen({ host: config.listenHost, port: config.listenPort });
    const port = (http.server.address() as AddressInfo).port;
    const host = config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost;
    const url = config.publicUrl ?? `${tls === undefined ? 'http' : 'https'}://${host}:${port}`;
    streamUrlBase = url.replace(/^http/, 'ws');
    publicUrl = url;
    const runMaintenance = async () => {
      const at = now();
      const logEvents = await logs.expire(at);
      const deleted =
        config.recordingRetentionDays === 0
          ? 0
          : await recordings.sweep(
              at,
              config.recordingRetentionDays,
              async (recording) => {
                await trail.recordServiceEvent({
                  name: 'RecordingDeleted',
                  time: now(),
                  owner: {
                    arn: recording.owner,
                    name: recording.owner.slice(recording.owner.lastIndexOf('/') + 1),
                  },
                  resources: [
                    `arn:${identity.partition}:ssm:${identity.region}:${identity.accountId}:session/${recording.sessionId}`,
                  ],
                  details: {
                    sessionId: recording.sessionId,
                    target: recording.target,
                    bucket: recording.bucket,
                    startedAt: new Date(recording.startedAt).toISOString(),
                    retentionDays: config.recordingRetentionDays,
                  },
                });
              },
              (sessionId) => gateway.isMonitoring(sessionId),
            );
      if (config.nodeDeregisterAfterSeconds === 0) return { recordings: deleted, logEvents };
      const nodes = await deregisterUnseenNodes(
        {
          identity,
          instances,
          sessions: services.sessions,
          commands: services.commands,
          connections,
          audit: (event) => void trail.recordServiceEvent(event),
        },
        config.nodeDeregisterAfterSeconds * 1000,
        now(),
      );
      return { recordings: deleted, logEvents, nodesDeregistered: nodes.length };
    };
    const maintenance = setInterval(() => {
      runMaintenance().catch((error: unknown) =>
        log.error('retention sweep failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
      );
    }, MAINTENANCE_INTERVAL_MS);
    maintenance.unref();
    return {
      url,
      port,
      adminCredentials,
      ...(selfSigned === undefined
        ? {}
        : { selfSignedCa: { path: selfSigned.caPath, fingerprint: selfSigned.caFingerprint } }),
      services,
      storage,
      runMaintenance,
      recordingsSettled: () => gateway.settled(),
      async close() {
        clearInterval(maintenance);
        gateway.closeAll();
        await http.close();
        // Ended sessions' recordings get a moment to be written; failing stores are not waited for.
        await Promise.race([
          gateway.settled(),
          new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
        ]);
        await engine.stop();
        await trail.close();
        await storage.close();
        opened.close();
      },
    };
  } catch (error) {
    await storage.close();
    throw error;
  }
}

function publicHost(publicUrl: string | undefined): string[] {
  return publicUrl === undefined ? [] : [new URL(publicUrl).hostname.replace(/^\[|\]$/g, '')];
}

/** The object store the configuration names (docs/configuration.md, --object-store). */
async function openObjectStore(
  config: ServerConfig,
): Promise<{ store: ObjectStore; close: () => void }> {
  const chosen = config.objectStore;
  if (chosen.driver === 'directory') {
    return {
      store: new FilesystemObjectStore(join(config.dataDir, OBJECTS_DIR)),
      close: () => undefined,
    };
  }
  // Loaded only when chosen: the AWS SDK's S3 client takes a while to import.
  const { S3ObjectStore, createS3Client } = await import('./storage/objects/s3-object-store.js');
  const client = createS3Client({
    endpoint: chosen.endpoint,
    region: chosen.region,
    forcePathStyle: chosen.forcePathStyle,
    credentials: chosen.credentials,
    caBundle: chosen.caFile === undefined ? undefined : await readFile(chosen.caFile, 'utf8'),
  });
  // The client keeps connections alive; they go with the server.
  return { store: new S3ObjectStore(client), close: () => client.destroy() };
}
