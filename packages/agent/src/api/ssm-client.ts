// The SSM JSON 1.1 calls the agent makes (ssm-wire §2.3, §9): RegisterManagedInstance (unsigned),
// RequestManagedInstanceRoleToken and UpdateManagedInstancePublicKey (RSA-signed), and
// UpdateInstanceInformation (SigV4 with the node's temporary credentials). AWS errors come back
// as AgentError('ServerError') with AWS's code.

import type { KeyObject } from 'node:crypto';
import { AgentError } from '../agent-error.js';
import { signJsonRequestWithRsa } from '../identity/rsa-request-signer.js';
import type { HttpClient, HttpResponse } from '../net/http-client.js';
import { signRequest, type TemporaryCredentials } from '../net/sigv4-signer.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'AmazonSSM.';

export interface SsmClientOptions {
  /** The server's origin, e.g. `https://ssm.example.com:8443`. */
  readonly serverUrl: string;
  readonly region: string;
  readonly http: HttpClient;
  readonly now?: () => Date;
}

export interface RegisterInput {
  readonly activationCode: string;
  readonly activationId: string;
  /** base64 DER SubjectPublicKeyInfo. */
  readonly publicKey: string;
  readonly fingerprint: string;
  /** OpenSSM: the node's name instead of the activation's default. */
  readonly instanceName?: string;
  /** OpenSSM: tags besides the activation's (whose keys they may not override). */
  readonly tags?: readonly { readonly key: string; readonly value: string }[];
}

export interface RoleToken extends TemporaryCredentials {
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** The server wants the node to rotate its key. */
  readonly updateKeyPair: boolean;
}

export interface InstanceInformation {
  readonly instanceId: string;
  readonly agentName: string;
  readonly agentVersion: string;
  readonly agentStatus: string;
  readonly platformType: string;
  readonly platformName: string;
  readonly platformVersion: string;
  readonly computerName: string;
  readonly ipAddress: string;
}

export interface RsaIdentity {
  readonly instanceId: string;
  readonly privateKey: KeyObject;
}

export class SsmClient {
  private readonly url: URL;
  private readonly now: () => Date;

  constructor(private readonly options: SsmClientOptions) {
    this.url = new URL('/', options.serverUrl);
    this.now = options.now ?? (() => new Date());
  }

  async registerManagedInstance(input: RegisterInput): Promise<string> {
    const body = JSON.stringify({
      ActivationCode: input.activationCode,
      ActivationId: input.activationId,
      PublicKey: input.publicKey,
      PublicKeyType: 'Rsa',
      Fingerprint: input.fingerprint,
      // OpenSSM's additions, sent only when given (the installer's --name and --tags).
      ...(input.instanceName === undefined ? {} : { InstanceName: input.instanceName }),
      ...(input.tags === undefined || input.tags.length === 0
        ? {}
        : { Tags: input.tags.map(({ key, value }) => ({ Key: key, Value: value })) }),
    });
    // Unsigned by design: the activation code is the credential (ssm-wire §9.1).
    const result = await this.call('RegisterManagedInstance', body, {
      'content-type': CONTENT_TYPE,
      'x-amz-target': `${TARGET_PREFIX}RegisterManagedInstance`,
    });
    const instanceId = result['InstanceId'];
    if (typeof instanceId !== 'string' || !/^(mi|i)-[0-9a-f]{8,17}$/.test(instanceId)) {
      throw new AgentError(
        'ResponseInvalid',
        'RegisterManagedInstance returned no valid InstanceId',
      );
    }
    return instanceId;
  }

  async requestManagedInstanceRoleToken(
    identity: RsaIdentity,
    fingerprint: string,
  ): Promise<RoleToken> {
    const result = await this.callWithRsa(
      'RequestManagedInstanceRoleToken',
      JSON.stringify({ Fingerprint: fingerprint }),
      identity,
    );
    const { AccessKeyId, SecretAccessKey, SessionToken, TokenExpirationDate, UpdateKeyPair } =
      result;
    const expiresAt = parseTimestamp(TokenExpirationDate);
    if (
      typeof AccessKeyId !== 'string' ||
      typeof SecretAccessKey !== 'string' ||
      typeof SessionToken !== 'string' ||
      AccessKeyId === '' ||
      SecretAccessKey === '' ||
      expiresAt === undefined
    ) {
      throw new AgentError(
        'ResponseInvalid',
        'RequestManagedInstanceRoleToken returned incomplete credentials',
      );
    }
    return {
      accessKeyId: AccessKeyId,
      secretAccessKey: SecretAccessKey,
      sessionToken: SessionToken,
      expiresAt,
      updateKeyPair: UpdateKeyPair === true,
    };
  }

  async updateManagedInstancePublicKey(identity: RsaIdentity, newPublicKey: string): Promise<void> {
    await this.callWithRsa(
      'UpdateManagedInstancePublicKey',
      JSON.stringify({ NewPublicKey: newPublicKey, NewPublicKeyType: 'Rsa' }),
      identity,
    );
  }

  async updateInstanceInformation(
    credentials: TemporaryCredentials,
    info: InstanceInformation,
  ): Promise<void> {
    const body = JSON.stringify({
      InstanceId: info.instanceId,
      AgentName: info.agentName,
      AgentVersion: info.agentVersion,
      AgentStatus: info.agentStatus,
      PlatformType: info.platformType,
      PlatformName: info.platformName,
      PlatformVersion: info.platformVersion,
      ComputerName: info.computerName,
      IPAddress: info.ipAddress,
      SSMConnectionChannel: 'ssmmessages',
    });
    const headers = await signRequest(
      {
        method: 'POST',
        url: this.url,
        headers: {
          'content-type': CONTENT_TYPE,
          'x-amz-target': `${TARGET_PREFIX}UpdateInstanceInformation`,
        },
        body,
      },
      credentials,
      this.options.region,
      'ssm',
      this.now(),
    );
    await this.call('UpdateInstanceInformation', body, headers);
  }

  /** The node deregisters itself (uninstall); its role must allow it (OpenSSMNodeRole does). */
  async deregisterManagedInstance(
    credentials: TemporaryCredentials,
    instanceId: string,
  ): Promise<void> {
    const body = JSON.stringify({ InstanceId: instanceId });
    const headers = await signRequest(
      {
        method: 'POST',
        url: this.url,
        headers: {
          'content-type': CONTENT_TYPE,
          'x-amz-target': `${TARGET_PREFIX}DeregisterManagedInstance`,
        },
        body,
      },
      credentials,
      this.options.region,
      'ssm',
      this.now(),
    );
    await this.call('DeregisterManagedInstance', body, headers);
  }

  private callWithRsa(
    operation: string,
    body: string,
    identity: RsaIdentity,
  ): Promise<Record<string, unknown>> {
    const headers = signJsonRequestWithRsa(
      { host: this.url.host, target: `${TARGET_PREFIX}${operation}`, body },
      { ...identity, region: this.options.region },
      this.now(),
    );
    return this.call(operation, body, headers);
  }

  private async call(
    operation: string,
    body: string,
    headers: Readonly<Record<string, string>>,
  ): Promise<Record<string, unknown>> {
    const response = await this.options.http({ method: 'POST', url: this.url, headers, body });
    if (response.status !== 200) throw parseAwsError(operation, response);
    let value: unknown;
    try {
      value = JSON.parse(response.body.toString('utf8') || '{}');
    } catch {
      throw new AgentError('ResponseInvalid', `${operation} returned a body that is not JSON`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new AgentError('ResponseInvalid', `${operation} returned a body that is not an object`);
    }
    return value as Record<string, unknown>;
  }
}

/**
 * AWS's JSON error body `{"__type": "...#Code", "message": "..."}` as an AgentError; anything
 * else (a proxy's HTML page) as ResponseInvalid with the status.
 */
export function parseAwsError(operation: string, response: HttpResponse): AgentError {
  const text = response.body.toString('utf8');
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const type = value['__type'] ?? value['code'] ?? value['Code'];
    if (typeof type === 'string' && type !== '') {
      const awsCode = type.slice(type.lastIndexOf('#') + 1).split(':')[0]!;
      const message = value['message'] ?? value['Message'];
      return new AgentError(
        'ServerError',
        typeof message === 'string' && message !== '' ? message : `${operation} failed`,
        { awsCode, httpStatus: response.status },
      );
    }
  } catch {
    // Not JSON: fall through.
  }
  const amznError = response.headers['x-amzn-errortype'];
  if (typeof amznError === 'string' && amznError !== '') {
    return new AgentError('ServerError', `${operation} failed with HTTP ${response.status}`, {
      awsCode: amznError.split(':')[0]!,
      httpStatus: response.status,
    });
  }
  return new AgentError(
    'ResponseInvalid',
    `${operation} failed with HTTP ${response.status}: ${printable(text).slice(0, 200)}`,
    { httpStatus: response.status },
  );
}

/** JSON 1.1 timestamps are epoch seconds (a number); accept ISO text too. Epoch ms out. */
function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) {
    return Math.round(value * 1000);
  }
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]+/g, ' ').trim();
}
