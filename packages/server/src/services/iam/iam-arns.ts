// ARNs of IAM and STS entities (`arn:<partition>:iam::<account>:user/<path><name>` …) and the
// AWS managed policies, whose ARNs users know by heart in the `aws` partition
// (`arn:aws:iam::aws:policy/AdministratorAccess`): those are kept as written, and an ARN in
// OpenSSM's own partition is read as the same policy.

import type { ServerIdentity } from '../services.js';

export type IamEntityType = 'user' | 'group' | 'role' | 'policy';

export function iamArn(
  identity: ServerIdentity,
  type: IamEntityType,
  path: string,
  name: string,
): string {
  return `arn:${identity.partition}:iam::${identity.accountId}:${type}${path}${name}`;
}

export function assumedRoleArn(
  identity: ServerIdentity,
  roleName: string,
  sessionName: string,
): string {
  return `arn:${identity.partition}:sts::${identity.accountId}:assumed-role/${roleName}/${sessionName}`;
}

const AWS_MANAGED_POLICY =
  /^arn:(?:aws|openssm):iam::aws:policy(\/(?:[\w+=,.@-]+\/)*)([\w+=,.@-]+)$/;

/** `arn:aws:iam::aws:policy/<name>` for an AWS managed policy ARN in either partition. */
export function awsManagedPolicyArn(arn: string): string | undefined {
  const match = AWS_MANAGED_POLICY.exec(arn);
  return match === null ? undefined : `arn:aws:iam::aws:policy${match[1]}${match[2]}`;
}

/**
 * A customer policy ARN as this server stores it: the partition normalised to ours, so a
 * policy ARN written with `arn:aws:` (copied from AWS docs) names the same policy.
 */
export function customerPolicyArn(identity: ServerIdentity, arn: string): string {
  return arn.replace(/^arn:aws:iam::/, `arn:${identity.partition}:iam::`);
}
