// @openssm/testkit: helpers for tests only (never imported by product code).

export * from './random.js';
export * from './node-sha256.js';
export * from './agent-message-vectors.js';
export * from './fake-clock.js';
export * from './lossy-link.js';
export * from './test-server.js';
export * from './signed-fetch.js';
export * from './tcp-proxy.js';
export * from './poll-until.js';
export * from './test-ca.js';
export * from './test-agent.js';
export * from './aws-cli.js';
export * from './simulated-fleet.js';
export * from './tmux-terminal.js';
export * from './operator.js';
export * from './session-preferences.js';
export * from './piped-session.js';
export * from './connect-proxy.js';
export * from './private-sshd.js';
export * from './totp.js';
export * from './fresh-root.js';
export * from './s3-server.js';
export * from './arm64-emulation.js';
export * from './systemd-container.js';
export * from './ssm-client.js';
