// The IAM and STS service layer the query operations and the authorizer use, assembled from
// one module per kind of entity.

import type { Principal } from '../../storage/records.js';
import type { CredentialStore } from '../credential-store.js';
import { createGroupService, type GroupService } from './groups.js';
import type { IamDependencies } from './iam-context.js';
import { createPolicyService, type PolicyService } from './policies.js';
import {
  createPrincipalPolicyResolver,
  type PrincipalPolicyResolver,
} from './principal-policies.js';
import { createRoleService, type RoleService } from './roles.js';
import { createSimulator, type Simulator } from './simulator.js';
import { createStsService, type StsService } from './sts.js';
import { createUserService, type UserService } from './users.js';

export interface IamService {
  readonly users: UserService;
  readonly groups: GroupService;
  readonly roles: RoleService;
  readonly policies: PolicyService;
  readonly sts: StsService;
  readonly credentials: CredentialStore;
  /** A caller's policies and context keys, for the authorizer. */
  readonly resolvePrincipal: PrincipalPolicyResolver;
  /** IAM's policy simulator (SimulatePrincipalPolicy, SimulateCustomPolicy). */
  readonly simulate: Simulator;
  /** A tag of the caller (its user's, or its role's), e.g. `SSMSessionRunAs`. */
  principalTag(principal: Principal, key: string): Promise<string | undefined>;
}

export function createIamService(deps: IamDependencies): IamService {
  const policies = createPolicyService(deps);
  const { resolve: resolvePrincipal, owned } = createPrincipalPolicyResolver(deps, policies);
  return {
    users: createUserService(deps),
    groups: createGroupService(deps),
    roles: createRoleService(deps),
    policies,
    sts: createStsService(deps, resolvePrincipal),
    credentials: deps.credentials,
    resolvePrincipal,
    simulate: createSimulator(deps, resolvePrincipal, owned),
    async principalTag(principal, key) {
      const value = (await resolvePrincipal(principal)).context[`aws:PrincipalTag/${key}`];
      return typeof value === 'string' ? value : undefined;
    },
  };
}
