// `openssm-server` (also reached as `openssm server`): resolves the configuration, starts the
// server and stops it cleanly on SIGINT/SIGTERM. Prints where the admin credentials are, never
// the secret.

import { startServer } from '../app.js';
import { ConfigError, resolveServerConfig } from '../config/server-config.js';

const USAGE = `Usage: openssm server [--data-dir DIR] [--listen HOST:PORT] [--region REGION]
                      [--tls-cert FILE --tls-key FILE | --tls-self-signed] [--public-url URL]
                      [--allow-insecure-http] [--log-level LEVEL]
                      [--object-store directory|s3 [--s3-endpoint URL] [--s3-force-path-style] …]
See docs/configuration.md for every option and its environment variable.`;

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let config;
  try {
    config = resolveServerConfig(argv, process.env, process.cwd());
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`openssm server: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  const server = await startServer(config);
  const credentials = server.adminCredentials;
  process.stdout.write(
    [
      `OpenSSM server listening on ${server.url} (region ${config.region})`,
      `Data directory: ${config.dataDir}`,
      `Administrator credentials: ${credentials.path}${credentials.created ? ' (created now)' : ''}`,
      ...(server.selfSignedCa === undefined
        ? []
        : [
            `Private CA: ${server.selfSignedCa.path}`,
            `  SHA-256 fingerprint ${server.selfSignedCa.fingerprint}`,
            `  agents: openssm-agent register … --ca-fingerprint ${server.selfSignedCa.fingerprint}`,
            `  clients: AWS_CA_BUNDLE=${server.selfSignedCa.path}`,
          ]),
      '',
      'Try it with the AWS CLI:',
      `  ${server.selfSignedCa === undefined ? '' : `AWS_CA_BUNDLE=${server.selfSignedCa.path} `}AWS_SHARED_CREDENTIALS_FILE=${credentials.path} aws --endpoint-url ${server.url} --region ${config.region} ssm describe-instance-information`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('Stopping…\n');
  await server.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `openssm server: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  },
);
