// The contract of one query-protocol operation (IAM and STS, one file each under api/iam and
// api/sts): the service and Action it answers, the IAM action and resource it is authorized as,
// how its form fields are read, and what it does. Results are XML-shaped plain values.

import type { QueryParams } from '../../http/query-params.js';
import type { XmlValue } from '../../http/xml-response.js';
import type { OperationContext } from '../operation.js';

export type QueryService = 'iam' | 'sts';

export interface QueryOperation<Input = unknown> {
  /** The form's `Action`, e.g. `CreateUser`. */
  readonly name: string;
  readonly service: QueryService;
  /** IAM action, e.g. `iam:CreateUser`. */
  readonly action: string;
  /** Answered for any authenticated caller without a policy decision (GetCallerIdentity). */
  readonly alwaysAllowed?: boolean;
  parse(params: QueryParams): Input;
  /** The ARN the action applies to; may look the entity up for its path. */
  resource(input: Input, context: OperationContext): string | Promise<string>;
  /** The `<ActionResult>` content; undefined for an empty result. */
  handle(input: Input, context: OperationContext): Promise<XmlValue>;
}

export type AnyQueryOperation = QueryOperation<never>;

export function defineQueryOperation<Input>(operation: QueryOperation<Input>): AnyQueryOperation {
  return operation as unknown as AnyQueryOperation;
}

/** The caller, for operations that need one (every query operation is signed). */
export function callerOf(context: OperationContext) {
  if (context.principal === undefined) throw new Error('query operations are always signed');
  return context.principal;
}
