// The `openssm-agent` executable: the command line (commands/cli.ts) wired to this process's
// arguments, environment, output streams and signals.

import { formatAgentError } from '../agent-error.js';
import { runCli } from '../commands/cli.js';

runCli(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  onStopSignal: (stop) => {
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  },
}).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`openssm-agent: ${formatAgentError(error)}\n`);
    process.exit(1);
  },
);
