// Serves the built console: hashed assets cached for a year, index.html never cached, paths kept
// inside the console directory, and headers that keep the page from being framed or sniffed.

import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { FastifyReply } from 'fastify';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/**
 * Scripts only from us; the data channel's WebSocket goes to our own host (ws/wss). xterm.js
 * and asciinema-player set element styles, hence inline styles.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  // asciinema-player runs its terminal emulator as WebAssembly (no JavaScript eval).
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>OpenSSM console</title>
<p>The console is not built. Run <code>npm run build:console</code> (npm install does it) and reload.</p>`;

export async function serveConsoleFile(
  reply: FastifyReply,
  consoleDir: string,
  requested: string,
): Promise<FastifyReply> {
  const relative = normalize(decodeURIComponentSafe(requested)).replace(/^([/\\])+/, '');
  if (relative.startsWith('..')) return reply.code(404).headers(SECURITY_HEADERS).send();
  const isAsset = relative !== '' && extname(relative) !== '';
  // Every route of the single-page app is index.html; only files with an extension are files.
  const file = isAsset ? join(consoleDir, relative) : join(consoleDir, 'index.html');
  if (!file.startsWith(consoleDir + sep)) return reply.code(404).send();
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch {
    if (isAsset) return reply.code(404).headers(SECURITY_HEADERS).send();
    return reply
      .code(503)
      .headers({ ...SECURITY_HEADERS, 'content-type': CONTENT_TYPES['.html']! })
      .send(NOT_BUILT);
  }
  return reply
    .code(200)
    .headers({
      ...SECURITY_HEADERS,
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      // Vite names assets by content hash: they never change under one name.
      'cache-control': relative.startsWith('assets/')
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
    })
    .send(body);
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return '';
  }
}
