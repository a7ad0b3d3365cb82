// Requests exactly as real AWS clients sign them: the AWS SDK for JavaScript v3 (captured in
// memory and over a socket), Debian's AWS CLI v2 (/usr/bin/aws) against a local node:http
// server, and seeded random requests signed by the CLI's own botocore.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import {
  DescribeInstanceInformationCommand,
  SSMClient,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { HttpResponse, type HttpRequest } from '@smithy/protocol-http';
import { createRandom } from '@openssm/testkit';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ReceivedRequest } from '../../src/auth/canonical-request.js';
import { verifySigV4, type SigV4VerifierOptions } from '../../src/auth/sigv4-verifier.js';
import {
  ACCESS_KEY_ID,
  REGION,
  SECRET,
  accessKey,
  expectCode,
  lookupFrom,
  startCaptureServer,
  toReceived,
} from './helpers.js';

const AWS_CLI = '/usr/bin/aws';
// Debian's awscli package runs on the system Python and vendors botocore as awscli.botocore.
const CLI_PYTHON = '/usr/bin/python3';
const TOKEN = 'FwoGZXIvYXdzEXAMPLE//token+with/slashes==';

function options(key = accessKey()): Omit<SigV4VerifierOptions, 'lookupInstancePublicKey'> {
  return { region: REGION, services: ['ssm'], now: Date.now(), lookupAccessKey: lookupFrom(key) };
}

function requireAwsCli(): void {
  if (!existsSync(AWS_CLI) || !existsSync(CLI_PYTHON)) {
    throw new Error(
      `${AWS_CLI} (Debian's AWS CLI v2) is not installed: CI must install the 'awscli' package ` +
        '(apt-get install awscli) for the real-client SigV4 tests. They are not skipped on purpose.',
    );
  }
}

function run(
  file: string,
  args: string[],
  env: Record<string, string>,
  input?: string,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { env, timeout: 30_000, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${file} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

describe('AWS SDK for JavaScript v3', () => {
  beforeEach(() => {
    // The SDK warns once per process that Node 20 support ends; that is not this test's concern.
    vi.stubEnv('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  async function captureInMemory(credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }): Promise<ReceivedRequest & { headers: Record<string, string> }> {
    let captured: HttpRequest | undefined;
    const client = new SSMClient({
      region: REGION,
      endpoint: 'http://127.0.0.1:1',
      credentials,
      requestHandler: {
        handle: (request: HttpRequest) => {
          captured = request;
          const response = new HttpResponse({
            statusCode: 200,
            headers: { 'content-type': 'application/x-amz-json-1.1' },
            body: Readable.from([Buffer.from('{}')]),
          });
          return Promise.resolve({ response });
        },
      },
    });
    await client.send(
      new SendCommandCommand({
        DocumentName: 'AWS-RunShellScript',
        InstanceIds: ['mi-0123456789abcdef0'],
        Parameters: { commands: ['echo "héllo wörld" | tr a-z A-Z'] },
      }),
    );
    client.destroy();
    if (captured === undefined) throw new Error('the SDK sent nothing');
    return toReceived(captured);
  }

  it('accepts a request signed with static credentials', async () => {
    const request = await captureInMemory({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET });
    const verified = await verifySigV4(request, options());
    // The SDK signs its retry and invocation headers and the payload hash too.
    expect(verified.signedHeaders).toEqual([
      'amz-sdk-invocation-id',
      'amz-sdk-request',
      'content-length',
      'content-type',
      'host',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amz-target',
      'x-amz-user-agent',
    ]);
    await expectCode(
      verifySigV4(request, options(accessKey({ secretAccessKey: `${SECRET}x` }))),
      'InvalidSignatureException',
    );
  });

  it('accepts a request signed with session-token credentials', async () => {
    const request = await captureInMemory({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
      sessionToken: TOKEN,
    });
    const temporary = accessKey({ sessionToken: TOKEN, expiresAt: Date.now() + 3_600_000 });
    const verified = await verifySigV4(request, options(temporary));
    expect(verified.signedHeaders).toContain('x-amz-security-token');
    await expectCode(
      verifySigV4(request, options(accessKey({ sessionToken: `${TOKEN}x` }))),
      'UnrecognizedClientException',
    );
  });

  it('accepts what the SDK puts on the wire', async () => {
    await using server = await startCaptureServer();
    const client = new SSMClient({
      region: REGION,
      endpoint: server.url,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET, sessionToken: TOKEN },
      maxAttempts: 1,
    });
    await client.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
    client.destroy();
    expect(server.requests).toHaveLength(1);
    const temporary = accessKey({ sessionToken: TOKEN, expiresAt: Date.now() + 3_600_000 });
    await expect(verifySigV4(server.requests[0]!, options(temporary))).resolves.toMatchObject({
      accessKeyId: ACCESS_KEY_ID,
    });
  });
});

describe('AWS CLI v2 (/usr/bin/aws)', () => {
  async function captureCli(extraEnv: Record<string, string> = {}): Promise<ReceivedRequest> {
    requireAwsCli();
    await using server = await startCaptureServer();
    await run(
      AWS_CLI,
      [
        '--endpoint-url',
        server.url,
        'ssm',
        'describe-instance-information',
        '--cli-read-timeout',
        '5',
        '--cli-connect-timeout',
        '5',
      ],
      {
        PATH: '/usr/bin:/bin',
        HOME: '/nonexistent',
        AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_DEFAULT_REGION: REGION,
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_MAX_ATTEMPTS: '1',
        AWS_PAGER: '',
        ...extraEnv,
      },
    );
    expect(server.requests).toHaveLength(1);
    return server.requests[0]!;
  }

  it('accepts describe-instance-information, and rejects it under a wrong secret', async () => {
    const request = await captureCli();
    expect(request.headers['user-agent']).toMatch(/^aws-cli\/2\./);
    await expect(verifySigV4(request, options())).resolves.toEqual({
      principal: accessKey().principal,
      accessKeyId: ACCESS_KEY_ID,
      signedHeaders: ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
      scope: { date: expect.stringMatching(/^\d{8}$/) as unknown, region: REGION, service: 'ssm' },
    });
    await expectCode(
      verifySigV4(request, options(accessKey({ secretAccessKey: 'not-the-secret' }))),
      'InvalidSignatureException',
    );
  });

  it('accepts a request made with session credentials', async () => {
    const request = await captureCli({ AWS_SESSION_TOKEN: TOKEN });
    const temporary = accessKey({ sessionToken: TOKEN, expiresAt: Date.now() + 3_600_000 });
    const verified = await verifySigV4(request, options(temporary));
    expect(verified.signedHeaders).toEqual([
      'content-type',
      'host',
      'x-amz-date',
      'x-amz-security-token',
      'x-amz-target',
    ]);
  });
});

// botocore builds the canonical request from the URL it will send (it signs the query string as
// written rather than re-encoding it), so random paths and query parameters signed by the CLI's
// own signer check our decoding and re-encoding from the other side.
const BOTOCORE_SIGNER = `
import json, sys
import awscli  # makes the vendored awscli.botocore importable as botocore
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
out = []
for case in json.load(sys.stdin):
    request = AWSRequest(method=case['method'], url=case['url'], params=case['params'],
                         data=bytes.fromhex(case['body']), headers=case['headers'])
    SigV4Auth(Credentials(case['key'], case['secret'], case.get('token')), case['service'], case['region']).add_auth(request)
    prepared = request.prepare()
    out.append({'url': prepared.url, 'headers': dict(prepared.headers)})
json.dump(out, sys.stdout)
`;

describe('botocore (the CLI’s signer)', () => {
  it('signs 200 random requests that verify', async () => {
    requireAwsCli();
    const random = createRandom(0xb070c0e);
    const pool = [...'abcXYZ019-._~ !$&\'()*+,;=:@/?#[]%"<>^`{|}é😀'];
    const word = (max: number): string =>
      Array.from({ length: random.int(max + 1) }, () => random.pick(pool)).join('');
    const cases = Array.from({ length: 200 }, (_, i) => ({
      method: random.pick(['GET', 'POST', 'PUT', 'DELETE']),
      url: `http://127.0.0.1:18555/${Array.from({ length: random.int(4) }, () => encodeURIComponent(word(6))).join('/')}`,
      params: Object.fromEntries(
        Array.from({ length: random.int(4) }, () => [word(5) || 'k', word(8)]),
      ),
      body: Buffer.from(random.bytes(random.int(512))).toString('hex'),
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AmazonSSM.Op${i}`,
        'X-Custom': `a  ${word(4).replace(/[^\x20-\x7e]/g, '')}\tb`,
      },
      key: ACCESS_KEY_ID,
      secret: SECRET,
      ...(random.chance(0.3) ? { token: TOKEN } : {}),
      service: 'ssm',
      region: REGION,
    }));
    const { stdout } = await run(
      CLI_PYTHON,
      ['-c', BOTOCORE_SIGNER],
      { PATH: '/usr/bin:/bin' },
      JSON.stringify(cases),
    );
    const signed = JSON.parse(stdout) as { url: string; headers: Record<string, string> }[];
    expect(signed).toHaveLength(cases.length);

    for (const [i, { url, headers }] of signed.entries()) {
      // The URL class would re-normalise path and query; take them from botocore's string as sent.
      const { host } = new URL(url);
      const target = url.slice(url.indexOf('/', 'http://'.length));
      const question = target.indexOf('?');
      const body = Buffer.from(cases[i]!.body, 'hex');
      const received: ReceivedRequest = {
        method: cases[i]!.method,
        path: question < 0 ? target : target.slice(0, question),
        query: question < 0 ? '' : target.slice(question + 1),
        headers: {
          host,
          ...Object.fromEntries(
            Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
          ),
        },
        body,
      };
      const key = accessKey({ sessionToken: cases[i]!.token ?? null, expiresAt: null });
      await verifySigV4(received, options(key)).catch((error: unknown) => {
        throw new Error(
          `botocore case ${i} rejected: ${String(error)}\n${JSON.stringify({ url, headers })}`,
        );
      });
    }
  });
});
