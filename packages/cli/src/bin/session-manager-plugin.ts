// `session-manager-plugin`: the executable `aws ssm start-session` looks for on PATH.

import { createProcessHost, exitProcess } from '../host/process-host.js';
import { runPlugin } from '../plugin/run-plugin.js';

const code = await runPlugin(createProcessHost()).catch((error: unknown) => {
  process.stdout.write(`Cannot perform start session: ${(error as Error).message}\n`);
  return 1;
});
await exitProcess(code);
