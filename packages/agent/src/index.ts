// @openssm/agent: the node agent.

export * from './identity/rsa-request-signer.js';
export * from './session/index.js';
