// First start (and the upgrade from a data directory made before IAM existed): the
// administrator becomes the IAM user `admin` with AdministratorAccess, and the role the demo and
// the docs give activations, `OpenSSMNodeRole`, exists with AmazonSSMManagedInstanceCore — so a
// node registered with it can do what an agent does and nothing more. Both are made once: an
// administrator who later changes or deletes them is not overruled at the next start.

import { builtinPolicyArn } from '../policy/engine/index.js';
import type { IamService } from '../services/iam/iam-service.js';
import { userPrincipal } from '../services/iam/users.js';
import type { Principal } from '../storage/records.js';
import type { AccessKeyRepository } from '../storage/repositories.js';

export const ADMIN_USER_NAME = 'admin';
export const DEFAULT_NODE_ROLE = 'OpenSSMNodeRole';

/** Who may assume the node role: Systems Manager itself, as in AWS's hybrid activation docs. */
const NODE_ROLE_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ssm.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});

/**
 * A node may deregister itself (the installer's uninstall) and no other node: the resource is
 * the node that signed the request.
 */
export const NODE_SELF_DEREGISTRATION_POLICY = 'OpenSSMNodeSelfDeregistration';
const NODE_SELF_DEREGISTRATION = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: 'ssm:DeregisterManagedInstance',
      Resource: 'arn:*:ssm:*:*:managed-instance/${ssm:SourceInstanceId}',
    },
  ],
});

/** Key rows the first schema gave the administrator (principal id `admin`). */
const LEGACY_ADMIN_PRINCIPAL_ID = 'admin';

export async function ensureIamBootstrap(
  iam: IamService,
  accessKeys: AccessKeyRepository,
  now: number,
): Promise<Principal> {
  const existing = await iam.users.get(ADMIN_USER_NAME).catch(() => undefined);
  if (existing !== undefined) return userPrincipal(existing);
  const admin = await iam.users.create(ADMIN_USER_NAME, '/', [], now);
  await iam.policies.attach(
    'user',
    ADMIN_USER_NAME,
    builtinPolicyArn('aws', 'AdministratorAccess'),
    now,
  );
  const principal = userPrincipal(admin);
  // A data directory from before IAM: its admin key keeps working, now as this user, sealed.
  await accessKeys.reassignPrincipal(LEGACY_ADMIN_PRINCIPAL_ID, principal);
  await iam.credentials.sealLegacy(admin.userId);
  if ((await iam.roles.get(DEFAULT_NODE_ROLE).catch(() => undefined)) === undefined) {
    await iam.roles.create(
      {
        roleName: DEFAULT_NODE_ROLE,
        path: '/',
        trustPolicy: NODE_ROLE_TRUST_POLICY,
        description: 'The role managed nodes registered with OpenSSM act as.',
        maxSessionDuration: 3600,
        tags: [],
      },
      now,
    );
    await iam.policies.attach(
      'role',
      DEFAULT_NODE_ROLE,
      builtinPolicyArn('aws', 'AmazonSSMManagedInstanceCore'),
      now,
    );
    await iam.policies.putInline(
      'role',
      DEFAULT_NODE_ROLE,
      NODE_SELF_DEREGISTRATION_POLICY,
      NODE_SELF_DEREGISTRATION,
    );
  }
  return principal;
}
