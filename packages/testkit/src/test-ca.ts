// A private CA and a certificate for 127.0.0.1 signed by it, made with openssl for TLS tests.
// The leaf certificate is returned alone; callers add the CA when they serve a chain.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export interface TestCa {
  /** PEM file of the CA, for AWS_CA_BUNDLE / NODE_EXTRA_CA_CERTS. */
  readonly caFile: string;
  /** The CA certificate (PEM). */
  readonly caPem: string;
  /** The server's key and certificate (PEM). */
  readonly tls: { readonly key: string; readonly cert: string };
  dispose(): void;
}

export function createTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'openssm-test-ca-'));
  const file = (name: string): string => join(dir, name);
  const openssl = (...args: string[]): void =>
    void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=OpenSSM Test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  openssl('req', ...ec, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(file('leaf.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'leaf.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'leaf.pem',
    '-days',
    '2',
    '-extfile',
    'leaf.ext',
  );
  return {
    caFile: file('ca.pem'),
    caPem: readFileSync(file('ca.pem'), 'utf8'),
    tls: {
      key: readFileSync(file('leaf.key'), 'utf8'),
      cert: readFileSync(file('leaf.pem'), 'utf8'),
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
