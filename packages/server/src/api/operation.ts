// The contract of one API operation (one file each under api/): how it authenticates, which IAM
// action and resource it is authorized as, how its JSON input is validated, and what it does.

import type { JsonObject } from '@openssm/protocol';
import type { AuthorizationCheck } from '../policy/authorizer.js';
import type { Principal } from '../storage/records.js';
import type { Services } from '../services/services.js';

/**
 * How a caller proves who it is: SigV4 with an access key, the RSA-signed variant with a managed
 * instance's key (ssm-wire §9.3), or nothing (RegisterManagedInstance carries its own secret).
 */
export type AuthScheme = 'sigv4' | 'instance-rsa' | 'anonymous';

export interface OperationContext {
  readonly requestId: string;
  /** Undefined only for anonymous operations. */
  readonly principal: Principal | undefined;
  readonly now: number;
  readonly sourceIp: string;
  readonly services: Services;
  /** The caller signed with temporary credentials (STS GetSessionToken refuses them). */
  readonly sessionCredentials?: boolean;
}

export interface ApiOperation<Input = unknown, Output extends object = object> {
  /** The operation name, as in `X-Amz-Target: AmazonSSM.<name>`. */
  readonly name: string;
  readonly auth: AuthScheme;
  /** IAM action, e.g. `ssm:StartSession`. */
  readonly action: string;
  /** Validates the request body; throws CodedError with an AWS validation code. */
  parse(body: JsonObject): Input;
  /** The ARN the action applies to (`*` when the operation has no single resource). */
  resource(input: Input, context: OperationContext): string;
  /**
   * What the caller must be allowed, when it is more than `action` on `resource`: several
   * resources (StartSession: the node and the document) or context keys about them (the node's
   * tags). Operations signed with a node's own RSA key (`instance-rsa`) concern that node only
   * and are authorized by the key itself, as on AWS.
   */
  authorization?(input: Input, context: OperationContext): Promise<readonly AuthorizationCheck[]>;
  handle(input: Input, context: OperationContext): Promise<Output>;
}

/** Erases the input type so operations of different shapes share one registry. */
export type AnyOperation = ApiOperation<never, object>;

export function defineOperation<Input, Output extends object>(
  operation: ApiOperation<Input, Output>,
): AnyOperation {
  return operation as unknown as AnyOperation;
}
