// `openssm`: the operator CLI.

import { runOpenssm } from '../commands/run-openssm.js';
import { createProcessHost, exitProcess } from '../host/process-host.js';

const code = await runOpenssm(createProcessHost()).catch((error: unknown) => {
  process.stderr.write(
    `openssm: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return 1;
});
await exitProcess(code);
