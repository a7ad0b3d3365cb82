// Public surface of @openssm/protocol: the SSM wire formats, platform-free.

export * from './errors.js';
export * from './message-types.js';
export * from './agent-message-layout.js';
export * from './agent-message.js';
export * from './uuid.js';
export * from './text.js';
export * from './smux.js';
export * from './stream-destination.js';
export * from './json-shape.js';
export * from './document-interpolation.js';
export * from './payloads/index.js';
export * from './audit-chain.js';
export * from './tick-cork.js';
