// Downloads one large file (an agent bundle) to disk over the agent's connector (TLS policy,
// proxy), hashing it on the way: bounded in size and time, and the file is only left behind
// when its SHA-256 is the expected one.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AgentError } from '../agent-error.js';
import type { CreateConnection } from './tls-policy.js';

/** A bundle is ~35 MB; anything past this is not one. */
export const MAX_DOWNLOAD_BYTES = 512 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 10 * 60_000;

export async function downloadVerified(
  url: URL,
  file: string,
  expectedSha256: string,
  connect: CreateConnection | undefined,
): Promise<void> {
  try {
    const actual = await new Promise<string>((resolve, reject) => {
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const fail = (error: unknown): void => {
        clearTimeout(timer);
        request.destroy();
        reject(
          error instanceof AgentError
            ? error
            : new AgentError(
                'NetworkError',
                `download of ${url.pathname} failed: ${String(error)}`,
              ),
        );
      };
      const request = send(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          ...(url.port === '' ? {} : { port: Number(url.port) }),
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          ...(connect === undefined ? {} : { createConnection: connect }),
        },
        (response) => {
          if (response.statusCode !== 200) {
            response.resume();
            fail(new AgentError('NetworkError', `${url.pathname}: HTTP ${response.statusCode}`));
            return;
          }
          const hash = createHash('sha256');
          const out = createWriteStream(file, { mode: 0o600 });
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_DOWNLOAD_BYTES) {
              fail(new AgentError('ResponseInvalid', `${url.pathname} is larger than a bundle`));
              return;
            }
            hash.update(chunk);
          });
          response.on('error', fail);
          out.on('error', fail);
          response.pipe(out);
          out.on('finish', () => {
            clearTimeout(timer);
            resolve(hash.digest('hex'));
          });
        },
      );
      const timer = setTimeout(
        () => fail(new AgentError('NetworkError', `download of ${url.pathname} timed out`)),
        DOWNLOAD_TIMEOUT_MS,
      );
      request.on('error', fail);
      request.end();
    });
    if (actual !== expectedSha256) {
      throw new AgentError(
        'ResponseInvalid',
        `${url.pathname} has SHA-256 ${actual}, the server advertised ${expectedSha256}`,
      );
    }
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}
