// `openssm-agent deregister`: the node leaves the fleet (the installer's uninstall). It signs
// DeregisterManagedInstance with its own credentials — its role allows it on itself only — and
// then forgets its identity (registration, keys, cached credentials). A node the server already
// deregistered just forgets.

import { rm } from 'node:fs/promises';
import { AgentError, hasAwsCode } from '../agent-error.js';
import { SsmClient } from '../api/ssm-client.js';
import type { AgentConfig } from '../config/agent-config.js';
import type { Logger } from '../logging/logger.js';
import { createHttpClient } from '../net/http-client.js';
import { AgentState } from '../state/agent-state.js';
import { createServerTransport, tlsPolicyOf } from './agent.js';

/** What the server answers for a node it no longer knows: nothing left to deregister. */
const ALREADY_GONE = ['InvalidInstanceId', 'UnrecognizedClientException', 'InvalidKeyId'];

export async function deregisterNode(
  config: AgentConfig,
  log: Logger,
): Promise<{ instanceId: string; wasRegistered: boolean }> {
  const state = new AgentState(config.stateDir);
  const registration = await state.readRegistration();
  if (registration === undefined) {
    throw new AgentError('NotRegistered', `no registration in ${config.stateDir}`);
  }
  const { instanceId, serverUrl, region, fingerprint } = registration;
  const ssm = new SsmClient({
    serverUrl,
    region,
    http: createHttpClient(
      await createServerTransport(serverUrl, tlsPolicyOf(config, registration), config.proxy),
    ),
  });
  let wasRegistered = true;
  try {
    const privateKey = await state.readPrivateKey();
    const credentials = await ssm.requestManagedInstanceRoleToken(
      { instanceId, privateKey },
      fingerprint,
    );
    await ssm.deregisterManagedInstance(credentials, instanceId);
  } catch (error) {
    if (!hasAwsCode(error, ...ALREADY_GONE)) throw error;
    wasRegistered = false;
    log.info('the server no longer knows this node', { instanceId });
  }
  // registration.json last: until it is gone the node can still try again.
  for (const path of [state.credentialsPath, state.pendingKeyPath, state.privateKeyPath]) {
    await rm(path, { force: true });
  }
  await rm(state.registrationPath, { force: true });
  log.info('deregistered', { instanceId });
  return { instanceId, wasRegistered };
}
