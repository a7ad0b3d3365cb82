// Which certificate authorities HTTPS and WSS trust. Node already adds NODE_EXTRA_CA_CERTS to
// its defaults; AWS_CA_BUNDLE (or a profile's `ca_bundle`) is AWS's knob, which Node and the JS
// SDK ignore, so we add it — to the defaults rather than instead, so public endpoints keep working.

import { rootCertificates } from 'node:tls';
import { UsageError } from '../errors.js';
import type { Env } from '../host/host.js';
import type { CliConfig, ReadText } from './cli-config.js';

/** The `ca` option for TLS connections, or undefined to keep Node's defaults. */
export function loadCaCertificates(
  config: Pick<CliConfig, 'caBundleFile'>,
  env: Env,
  readText: ReadText,
): string[] | undefined {
  if (config.caBundleFile === undefined) return undefined;
  const bundle = readText(config.caBundleFile);
  if (bundle === undefined) {
    throw new UsageError(`the CA bundle ${config.caBundleFile} does not exist`);
  }
  // Passing `ca` replaces Node's store, NODE_EXTRA_CA_CERTS included: put that back as well.
  const extraFile = env['NODE_EXTRA_CA_CERTS'];
  const extra = extraFile ? readText(extraFile) : undefined;
  return [...rootCertificates, bundle, ...(extra === undefined ? [] : [extra])];
}
