// `npm start`: the embedded demo. Starts the server on 127.0.0.1 with SQLite in ./.openssm,
// registers a local agent through a real activation (first run only), runs it, and prints how
// to connect with `openssm` and with AWS's CLI. Ctrl-C stops both.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CreateActivationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateLoginProfileCommand, IAMClient } from '@aws-sdk/client-iam';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(process.env.OPENSSM_DATA_DIR ?? join(root, '.openssm'));
const listen = process.env.OPENSSM_LISTEN ?? '127.0.0.1:8443';
const region = process.env.OPENSSM_REGION ?? 'us-east-1';
const agentStateDir = join(dataDir, 'demo-agent');
const bin = (name) => join(root, 'node_modules', '.bin', name);

for (const name of ['openssm-server', 'openssm-agent', 'openssm']) {
  if (!existsSync(bin(name))) {
    fail(`${name} is not installed: run \`npm install\` first (it builds the packages).`);
  }
}

const children = [];
let stopping = false;

function fail(message) {
  console.error(`openssm demo: ${message}`);
  for (const child of children) child.kill('SIGTERM');
  process.exit(1);
}

function start(name, args, { quiet = false } = {}) {
  const child = spawn(bin(name), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.on('exit', (code, signal) => {
    if (!stopping) fail(`${name} exited (${signal ?? code}); see the lines above.`);
  });
  if (!quiet) child.stderr.on('data', (chunk) => process.stderr.write(prefix(name, chunk)));
  return child;
}

function prefix(name, chunk) {
  return chunk
    .toString()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => `[${name}] ${line}\n`)
    .join('');
}

/** Runs a command to completion; resolves with its stdout. */
function run(name, args) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin(name), args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) =>
      code === 0 ? resolvePromise(out) : reject(new Error(`${name} ${args[0]} failed (${code})`)),
    );
  });
}

function waitForLine(child, pattern, what) {
  return new Promise((resolvePromise, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      const match = pattern.exec(seen);
      if (match !== null) {
        clearTimeout(timer);
        resolvePromise(match);
      }
    });
  });
}

const server = start('openssm-server', [
  '--data-dir',
  dataDir,
  '--listen',
  listen,
  '--region',
  region,
  '--log-level',
  'warn',
]);
const [, url] = await waitForLine(server, /listening on (\S+)/, 'the server').catch((error) =>
  fail(error.message),
);
const credentialsFile = join(dataDir, 'admin-credentials');
const text = readFileSync(credentialsFile, 'utf8');
const credentials = {
  accessKeyId: /aws_access_key_id = (\S+)/.exec(text)[1],
  secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)[1],
};

if (!existsSync(join(agentStateDir, 'registration.json'))) {
  const ssm = new SSMClient({ endpoint: url, region, credentials });
  const activation = await ssm.send(
    new CreateActivationCommand({
      IamRole: 'OpenSSMNodeRole',
      DefaultInstanceName: 'demo-node',
      Description: 'npm start demo',
      RegistrationLimit: 1,
      Tags: [{ Key: 'Env', Value: 'demo' }],
    }),
  );
  await run('openssm-agent', [
    'register',
    '--server',
    url,
    '--activation-code',
    activation.ActivationCode,
    '--activation-id',
    activation.ActivationId,
    '--state-dir',
    agentStateDir,
    '--region',
    region,
  ]).catch((error) => fail(error.message));
}
// The web console's sign-in for the administrator: a random password, made once, kept beside
// the admin credentials with the same permissions.
const consolePasswordFile = join(dataDir, 'console-password');
if (!existsSync(consolePasswordFile)) {
  const password = `${randomBytes(18).toString('base64url')}-Aa1!`;
  const iam = new IAMClient({ endpoint: url, region, credentials });
  await iam
    .send(new CreateLoginProfileCommand({ UserName: 'admin', Password: password }))
    .catch((error) => fail(`could not set the console password: ${error.message}`));
  writeFileSync(consolePasswordFile, `${password}\n`, { mode: 0o600 });
}

const registration = JSON.parse(readFileSync(join(agentStateDir, 'registration.json'), 'utf8'));
start('openssm-agent', ['run', '--state-dir', agentStateDir, '--log-level', 'warn']);

const env = `AWS_SHARED_CREDENTIALS_FILE=${credentialsFile} AWS_REGION=${region}`;
console.log(`
OpenSSM is running.
  Server     ${url}   (data in ${dataDir})
  Demo node  ${registration.instanceId}   (name demo-node, tag Env=demo)
  Console    ${url}/console/   (user admin, password in ${consolePasswordFile})

Open a shell on the node with openssm:
  ${env} OPENSSM_ENDPOINT=${url} npx openssm connect demo-node

Or with AWS's CLI and our session-manager-plugin:
  ${env} PATH=${join(root, 'node_modules', '.bin')}:$PATH \\
    aws --endpoint-url ${url} ssm start-session --target ${registration.instanceId}

Press Ctrl-C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopping = true;
    for (const child of children.reverse()) child.kill('SIGTERM');
    setTimeout(() => process.exit(0), 3000).unref();
  });
}
