// Typed builders and strict parsers for every payload carried in AgentMessages and for the first
// text frame of each channel. Parsers throw only CodedError('PayloadInvalid').

export * from './limits.js';
export * from './acknowledge.js';
export * from './channel-closed.js';
export * from './publication.js';
export * from './session-state.js';
export * from './stream-payloads.js';
export * from './handshake.js';
export * from './control-channel.js';
export * from './open-channel.js';
