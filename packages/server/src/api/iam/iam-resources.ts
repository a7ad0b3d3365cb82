// The resource ARNs IAM actions are authorized on: the entity's ARN with its path when it
// exists (policies may grant `user/admins/*`), the root path for one being created or missing.

import { CodedError } from '@openssm/protocol';
import { iamArn, type IamEntityType } from '../../services/iam/iam-arns.js';
import type { OperationContext } from '../operation.js';

export async function entityResource(
  context: OperationContext,
  type: Exclude<IamEntityType, 'policy'>,
  name: string,
  pathIfNew = '/',
): Promise<string> {
  const { iam, identity } = context.services;
  const found =
    type === 'user'
      ? await iam.users.get(name).catch(() => undefined)
      : type === 'group'
        ? (await iam.groups.get(name).catch(() => undefined))?.group
        : await iam.roles.get(name).catch(() => undefined);
  return found?.arn ?? iamArn(identity, type, pathIfNew, name);
}

/** The caller's own user name: IAM's user operations default to it when UserName is absent. */
export function callerUserName(context: OperationContext): string | undefined {
  return context.principal?.kind === 'user' ? context.principal.name : undefined;
}

/** The caller's user name, for an operation whose UserName was left out by a non-user caller. */
export function callerOrFail(context: OperationContext): string {
  const name = callerUserName(context);
  if (name === undefined) {
    throw new CodedError(
      'ValidationError',
      'Must specify userName when calling with non-User credentials',
    );
  }
  return name;
}
