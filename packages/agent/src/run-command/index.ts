// Run Command: SendCommand jobs from the control channel, run, replied and uploaded durably.

export * from './send-command-payload.js';
export * from './command-plan.js';
export * from './output-truncation.js';
export * from './reply-payload.js';
export * from './reply-queue.js';
export * from './output-upload.js';
export * from './job-store.js';
export * from './script-process.js';
export * from './process-scan.js';
export * from './job-runner.js';
export * from './run-command-manager.js';
export * from './stable-id.js';
