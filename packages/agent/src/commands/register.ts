// `openssm-agent register`: gives this machine its identity (ssm-wire §9.1). Generates an RSA-2048
// key and a fingerprint, calls RegisterManagedInstance with the activation, and only then writes
// the state: the key first, registration.json last (the commit point). An existing registration
// is kept unless --force, which makes the machine a new node (new key, new fingerprint).

import { randomUUID } from 'node:crypto';
import { AgentError, hasAwsCode } from '../agent-error.js';
import { SsmClient } from '../api/ssm-client.js';
import type { AgentConfig } from '../config/agent-config.js';
import { encodePublicKeyForApi, generateNodeKey } from '../identity/node-key.js';
import type { Logger } from '../logging/logger.js';
import { createHttpClient } from '../net/http-client.js';
import { sleep } from '../retry/backoff.js';
import { AgentState, type Registration } from '../state/agent-state.js';
import { createServerTransport, tlsPolicyOf } from './agent.js';

/** AWS's agent retries registration while the service says it is busy. */
const REGISTER_ATTEMPTS = 3;
const REGISTER_RETRY_MS = 1000;

export async function registerNode(config: AgentConfig, log: Logger): Promise<Registration> {
  const { server, activationCode, activationId } = config;
  if (server === undefined || activationCode === undefined || activationId === undefined) {
    throw new Error('register needs --server, --activation-code and --activation-id');
  }
  const state = new AgentState(config.stateDir);
  await state.ensureDir();
  let existing: Registration | undefined;
  try {
    existing = await state.readRegistration();
  } catch (error) {
    if (!config.force) throw error;
  }
  if (existing !== undefined && !config.force) {
    throw new AgentError(
      'AlreadyRegistered',
      `this node is already registered as ${existing.instanceId} with ${existing.serverUrl}; ` +
        'pass --force to register it again as a new node',
    );
  }
  const url = new URL(server);
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    log.warn(
      'the server URL is plain http: the activation code and credentials travel unencrypted',
    );
  }
  const policy = tlsPolicyOf(config);
  const ssm = new SsmClient({
    serverUrl: server,
    region: config.region,
    http: createHttpClient(await createServerTransport(server, policy, config.proxy)),
  });
  const key = await generateNodeKey();
  const fingerprint = randomUUID();
  let instanceId: string | undefined;
  for (let attempt = 1; instanceId === undefined; attempt++) {
    try {
      instanceId = await ssm.registerManagedInstance({
        activationCode,
        activationId,
        publicKey: encodePublicKeyForApi(key),
        fingerprint,
        ...(config.name === undefined ? {} : { instanceName: config.name }),
        tags: config.tags,
      });
    } catch (error) {
      // Only retry what the server refused as busy: a request lost on the way back may have
      // registered the node already, and a retry would register it twice.
      if (
        attempt >= REGISTER_ATTEMPTS ||
        !hasAwsCode(error, 'TooManyUpdates', 'ThrottlingException')
      ) {
        throw error;
      }
      await sleep(REGISTER_RETRY_MS * attempt);
    }
  }
  await state.writePrivateKey(key);
  await state.removePendingKey();
  await state.removeCredentials();
  const registration: Registration = {
    instanceId,
    region: config.region,
    serverUrl: server,
    fingerprint,
    ...policy,
    privateKeyCreatedAt: new Date().toISOString(),
  };
  await state.writeRegistration(registration);
  log.info('registered', {
    instanceId,
    server,
    region: config.region,
    replaced: existing?.instanceId,
  });
  return registration;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
