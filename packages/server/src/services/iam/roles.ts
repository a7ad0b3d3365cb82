// IAM roles: the identities that nodes (through their activation's IamRole) and callers of
// sts:AssumeRole act as.

import { CodedError } from '@openssm/protocol';
import {
  createRequestContext,
  evaluatePolicies,
  parsePolicyDocument,
} from '../../policy/engine/index.js';
import type { IamRoleRecord } from '../../storage/iam-records.js';
import type { Page, PageRequest, Tag } from '../../storage/records.js';
import { newIamId } from '../identifiers.js';
import { iamArn } from './iam-arns.js';
import { requireRole, type IamDependencies } from './iam-context.js';
import { mergeTags, removeTags } from './iam-validation.js';
import { assertValidPolicy } from './policy-documents.js';

export const DEFAULT_MAX_SESSION_DURATION = 3600;

export interface NewRole {
  readonly roleName: string;
  readonly path: string;
  readonly trustPolicy: string;
  readonly description: string;
  readonly maxSessionDuration: number;
  readonly tags: readonly Tag[];
}

export interface RoleService {
  create(role: NewRole, now: number): Promise<IamRoleRecord>;
  get(roleName: string): Promise<IamRoleRecord>;
  list(pathPrefix: string, page: PageRequest): Promise<Page<IamRoleRecord>>;
  updateTrustPolicy(roleName: string, trustPolicy: string): Promise<void>;
  delete(roleName: string): Promise<void>;
  tag(roleName: string, tags: readonly Tag[]): Promise<void>;
  untag(roleName: string, keys: readonly string[]): Promise<void>;
  /** The role, when it exists and its trust policy lets `service` (e.g. ssm.amazonaws.com) assume it. */
  trustedBy(roleName: string, service: string): Promise<IamRoleRecord | undefined>;
}

export function createRoleService(deps: IamDependencies): RoleService {
  const { iam, identity } = deps;
  return {
    async create(input, now) {
      assertValidPolicy(input.trustPolicy, 'trust');
      const role: IamRoleRecord = {
        roleId: newIamId('AROA'),
        roleName: input.roleName,
        path: input.path,
        arn: iamArn(identity, 'role', input.path, input.roleName),
        description: input.description,
        trustPolicy: input.trustPolicy,
        maxSessionDuration: input.maxSessionDuration,
        tags: input.tags,
        createdAt: now,
      };
      if (!(await iam.roles.insert(role))) {
        throw new CodedError(
          'EntityAlreadyExists',
          `Role with name ${input.roleName} already exists.`,
        );
      }
      return role;
    },

    get: (roleName) => requireRole(deps, roleName),
    list: (pathPrefix, page) => iam.roles.list(pathPrefix, page),

    async updateTrustPolicy(roleName, trustPolicy) {
      await requireRole(deps, roleName);
      assertValidPolicy(trustPolicy, 'trust');
      await iam.roles.update(roleName, { trustPolicy });
    },

    async delete(roleName) {
      const role = await requireRole(deps, roleName);
      if (
        (await iam.attachments.listFor('role', role.roleId)).length > 0 ||
        (await iam.inlinePolicies.list('role', role.roleId)).length > 0
      ) {
        throw new CodedError(
          'DeleteConflict',
          'Cannot delete entity, must detach all policies first.',
        );
      }
      await iam.roles.delete(roleName);
    },

    async tag(roleName, tags) {
      const role = await requireRole(deps, roleName);
      await iam.roles.setTags(roleName, mergeTags(role.tags, tags));
    },

    async untag(roleName, keys) {
      const role = await requireRole(deps, roleName);
      await iam.roles.setTags(roleName, removeTags(role.tags, keys));
    },

    async trustedBy(roleName, service) {
      const role = await iam.roles.get(roleName);
      if (role === undefined) return undefined;
      const decision = evaluatePolicies({
        action: 'sts:AssumeRole',
        resource: role.arn,
        principal: { type: 'Service', id: service },
        context: createRequestContext({}),
        policies: [],
        resourcePolicies: [
          {
            name: `${role.roleName}/trust`,
            document: parsePolicyDocument(role.trustPolicy, 'trust', {
              maxLength: Number.MAX_SAFE_INTEGER,
            }),
          },
        ],
      });
      return decision.decision === 'Allow' ? role : undefined;
    },
  };
}
