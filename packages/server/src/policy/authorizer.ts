// The one authorization hook every operation passes through. For now it knows two kinds of
// principal: the administrator may do everything, a managed node only what an agent needs. The
// IAM issue replaces the body with the policy engine; the signature stays.

import { CodedError } from '@openssm/protocol';
import type { Principal } from '../storage/records.js';

export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly action: string;
  readonly resource: string;
}

export type Authorizer = (request: AuthorizationRequest) => void;

/** What amazon-ssm-agent calls with its node credentials (AmazonSSMManagedInstanceCore). */
const NODE_ACTIONS = new Set([
  'ssm:RequestManagedInstanceRoleToken',
  'ssm:UpdateManagedInstancePublicKey',
  'ssm:UpdateInstanceInformation',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
]);

export const authorizeByPrincipalKind: Authorizer = ({ principal, action, resource }) => {
  if (principal.kind === 'admin') return;
  if (principal.kind === 'node' && NODE_ACTIONS.has(action)) return;
  throw new CodedError(
    'AccessDeniedException',
    `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}`,
  );
};
