// Public downloads for nodes that have no agent yet: GET /install.sh (generated), GET
// /agent/latest (the version the server advertises, with checksums) and
// GET /agent/<version>/<platform>/openssm-agent.tar.gz. Unauthenticated on purpose — a bundle
// holds no secret and a new machine has no credentials — and read-only; the activation code
// given to the installer is what lets a node join.

import { createReadStream } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { BUNDLE_FILE, type AgentBundleStore } from '../distribution/agent-bundles.js';
import { renderInstallScript } from '../distribution/install-script.js';
import type { Logger } from '../logging/logger.js';

export interface AgentDistributionOptions {
  readonly bundles: AgentBundleStore | undefined;
  /** Known once the listener is up. */
  readonly publicUrl: () => string;
  readonly ca: () => Promise<{ fingerprint: string; pem: string } | undefined>;
  readonly log: Logger;
}

export function registerAgentDistributionRoutes(
  app: FastifyInstance,
  options: AgentDistributionOptions,
): void {
  const notFound = (
    reply: { code(status: number): { type(t: string): { send(b: string): unknown } } },
    message: string,
  ) => reply.code(404).type('text/plain; charset=utf-8').send(`${message}\n`);

  app.get('/agent/latest', async (_request, reply) => {
    const release = await options.bundles?.latest();
    if (release === undefined) return notFound(reply, 'This server has no agent bundles.');
    const platforms = Object.fromEntries(
      Object.values(release.bundles).map((bundle) => [
        bundle.platform,
        {
          url: `/agent/${bundle.version}/${bundle.platform}/${BUNDLE_FILE}`,
          sha256: bundle.sha256,
          size: bundle.size,
        },
      ]),
    );
    return reply
      .header('cache-control', 'no-cache')
      .type('application/json')
      .send(JSON.stringify({ version: release.version, platforms }));
  });

  app.get<{ Params: { version: string; platform: string; file: string } }>(
    '/agent/:version/:platform/:file',
    async (request, reply) => {
      const { version, platform, file } = request.params;
      const bundle =
        file === BUNDLE_FILE ? await options.bundles?.get(version, platform) : undefined;
      if (bundle === undefined) return notFound(reply, 'No such agent bundle.');
      return (
        reply
          .header('content-length', String(bundle.size))
          .header('x-openssm-sha256', bundle.sha256)
          // A version's bundle never changes: caches may keep it.
          .header('cache-control', 'public, max-age=31536000, immutable')
          .type('application/gzip')
          .send(createReadStream(bundle.path))
      );
    },
  );

  app.get('/install.sh', async (_request, reply) => {
    const release = await options.bundles?.latest();
    if (release === undefined) {
      return notFound(reply, 'This server has no agent bundles (see --agent-bundle-dir).');
    }
    const ca = await options.ca();
    const script = await renderInstallScript({
      serverUrl: options.publicUrl(),
      caFingerprint: ca?.fingerprint,
      caPem: ca?.pem,
      release,
    });
    return reply.header('cache-control', 'no-cache').type('text/x-shellscript').send(script);
  });
}
