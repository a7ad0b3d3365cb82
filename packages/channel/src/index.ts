// Public surface of @openssm/channel: the data-channel engine, platform-free.

export * from './ports.js';
export * from './channel-config.js';
export * from './rtt-estimator.js';
export * from './outgoing-window.js';
export * from './incoming-buffer.js';
export * from './data-channel.js';
export * from './handshake.js';
export * from './smux-session.js';
export * from './stream-pipe.js';
