// The AWS managed policies OpenSSM ships, as policy documents with the same meaning for what
// OpenSSM serves. They are stored as JSON text, as IAM returns them from GetPolicyVersion, and
// attach like any managed policy under `arn:<partition>:iam::aws:policy/<Name>`.

import { parsePolicyDocument } from './policy-document.js';
import type { NamedPolicy } from './evaluate.js';

export interface BuiltinPolicy {
  readonly name: string;
  readonly description: string;
  /** The policy document, as JSON text. */
  readonly document: string;
}

function policy(name: string, description: string, statements: readonly object[]): BuiltinPolicy {
  const document = JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 2);
  return { name, description, document };
}

export const BUILTIN_POLICIES = {
  AdministratorAccess: policy(
    'AdministratorAccess',
    'Provides full access to every OpenSSM action and resource.',
    [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  ),
  AmazonSSMFullAccess: policy(
    'AmazonSSMFullAccess',
    'Provides full access to Systems Manager, its sessions and its message channels.',
    [{ Effect: 'Allow', Action: ['ssm:*', 'ssmmessages:*', 'ec2messages:*'], Resource: '*' }],
  ),
  AmazonSSMReadOnlyAccess: policy(
    'AmazonSSMReadOnlyAccess',
    'Provides read-only access to Systems Manager (Describe*, Get*, List*).',
    [{ Effect: 'Allow', Action: ['ssm:Describe*', 'ssm:Get*', 'ssm:List*'], Resource: '*' }],
  ),
  // AWS's document (v2) verbatim, plus what an OpenSSM agent needs for its own identity:
  // AWS authorizes those two calls outside the node's role policy.
  AmazonSSMManagedInstanceCore: policy(
    'AmazonSSMManagedInstanceCore',
    'The policy for a managed node to use the core functions of Systems Manager.',
    [
      {
        Effect: 'Allow',
        Action: [
          'ssm:DescribeAssociation',
          'ssm:GetDeployablePatchSnapshotForInstance',
          'ssm:GetDocument',
          'ssm:DescribeDocument',
          'ssm:GetManifest',
          'ssm:GetParameter',
          'ssm:GetParameters',
          'ssm:ListAssociations',
          'ssm:ListInstanceAssociations',
          'ssm:PutInventory',
          'ssm:PutComplianceItems',
          'ssm:PutConfigurePackageResult',
          'ssm:UpdateAssociationStatus',
          'ssm:UpdateInstanceAssociationStatus',
          'ssm:UpdateInstanceInformation',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'ssmmessages:CreateControlChannel',
          'ssmmessages:CreateDataChannel',
          'ssmmessages:OpenControlChannel',
          'ssmmessages:OpenDataChannel',
        ],
        Resource: '*',
      },
      {
        Effect: 'Allow',
        Action: [
          'ec2messages:AcknowledgeMessage',
          'ec2messages:DeleteMessage',
          'ec2messages:FailMessage',
          'ec2messages:GetEndpoint',
          'ec2messages:GetMessages',
          'ec2messages:SendReply',
        ],
        Resource: '*',
      },
      {
        Sid: 'OpenSSMNodeIdentity',
        Effect: 'Allow',
        Action: ['ssm:RequestManagedInstanceRoleToken', 'ssm:UpdateManagedInstancePublicKey'],
        Resource: '*',
      },
    ],
  ),
} as const satisfies Record<string, BuiltinPolicy>;

export type BuiltinPolicyName = keyof typeof BUILTIN_POLICIES;

/** Whether `name` (from a request, say) names a built-in policy; own names only, not `toString`. */
export function isBuiltinPolicyName(name: string): name is BuiltinPolicyName {
  return Object.hasOwn(BUILTIN_POLICIES, name);
}

/** `arn:<partition>:iam::aws:policy/<name>`, the ARN a built-in policy is attached by. */
export function builtinPolicyArn(partition: string, name: BuiltinPolicyName): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** A built-in policy parsed for evaluation. */
export function builtinPolicy(name: BuiltinPolicyName): NamedPolicy {
  return {
    name,
    document: parsePolicyDocument(BUILTIN_POLICIES[name].document, 'identity'),
  };
}
