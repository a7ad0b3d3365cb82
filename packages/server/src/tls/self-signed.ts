// `--tls-self-signed`: a private CA and a server certificate signed by it, made once with the
// system's openssl and kept in DATA_DIR/tls (keys 0600). Agents trust the CA by file
// (--ca-file) or by its SHA-256 fingerprint (--ca-fingerprint), which the server prints.

import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { access, chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface SelfSignedTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly caPath: string;
  /** SHA-256 fingerprint of the CA certificate, colon-separated hex (openssl's style). */
  readonly caFingerprint: string;
  readonly created: boolean;
}

/** Creates the CA and server certificate on first use, for `hosts` (names and IP addresses). */
export async function ensureSelfSignedTls(
  dataDir: string,
  hosts: readonly string[],
): Promise<SelfSignedTls> {
  const dir = join(dataDir, 'tls');
  const paths = {
    caKey: join(dir, 'ca.key'),
    caCert: join(dir, 'ca.pem'),
    key: join(dir, 'server.key'),
    chain: join(dir, 'server.pem'),
  };
  let created = false;
  if (!(await exists(paths.chain)) || !(await exists(paths.key))) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await createCertificates(dir, paths, hosts);
    created = true;
  }
  const caPem = await readFile(paths.caCert);
  return {
    cert: await readFile(paths.chain),
    key: await readFile(paths.key),
    caPath: paths.caCert,
    caFingerprint: new X509Certificate(caPem).fingerprint256,
    created,
  };
}

async function createCertificates(
  dir: string,
  paths: { caKey: string; caCert: string; key: string; chain: string },
  hosts: readonly string[],
): Promise<void> {
  const names = [...new Set(['localhost', '127.0.0.1', '::1', ...hosts])].filter(
    (host) => host !== '0.0.0.0' && host !== '::',
  );
  const altNames = names.map((host) => (isIP(host) === 0 ? `DNS:${host}` : `IP:${host}`)).join(',');
  const csr = join(dir, 'server.csr');
  const crt = join(dir, 'server.crt');
  const extensions = join(dir, 'server.ext');
  try {
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '3650',
      '-keyout',
      paths.caKey,
      '-out',
      paths.caCert,
      '-subj',
      '/CN=OpenSSM private CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await openssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-keyout',
      paths.key,
      '-out',
      csr,
      '-subj',
      `/CN=${names[0] ?? 'localhost'}`,
    ]);
    await writeFile(
      extensions,
      `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${altNames}\n`,
    );
    // 825 days: the longest validity clients accept for a server certificate.
    await openssl([
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      paths.caCert,
      '-CAkey',
      paths.caKey,
      '-CAcreateserial',
      '-sha256',
      '-days',
      '825',
      '-extfile',
      extensions,
      '-out',
      crt,
    ]);
    // The chain includes the CA so an agent pinning the CA's fingerprint can check it.
    await writeFile(
      paths.chain,
      Buffer.concat([await readFile(crt), await readFile(paths.caCert)]),
    );
    await chmod(paths.caKey, 0o600);
    await chmod(paths.key, 0o600);
  } finally {
    await Promise.all(
      [csr, crt, extensions, join(dir, 'ca.srl')].map((file) => rm(file, { force: true })),
    );
  }
}

async function openssl(args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args, { timeout: 60_000 });
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new Error(
      missing
        ? '--tls-self-signed needs the openssl command (Debian: apt-get install openssl), or give --tls-cert and --tls-key'
        : `openssl failed while creating the self-signed certificate: ${(error as { stderr?: string }).stderr?.trim() ?? String(error)}`,
      { cause: error },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
