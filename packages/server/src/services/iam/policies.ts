// Managed policies (the account's own, with up to five versions, and the built-in AWS managed
// ones, read-only), their attachments to users, groups and roles, and inline policies.

import { createHash } from 'node:crypto';
import { CodedError } from '@openssm/protocol';
import {
  BUILTIN_POLICIES,
  builtinPolicyArn,
  isBuiltinPolicyName,
  type BuiltinPolicyName,
} from '../../policy/engine/index.js';
import type {
  InlinePolicyRecord,
  ManagedPolicyRecord,
  PolicyOwnerKind,
  PolicyVersionRecord,
} from '../../storage/iam-records.js';
import type { Page, PageRequest } from '../../storage/records.js';
import { newIamId } from '../identifiers.js';
import { awsManagedPolicyArn, customerPolicyArn, iamArn } from './iam-arns.js';
import { ownerId, type IamDependencies } from './iam-context.js';
import { assertValidPolicy } from './policy-documents.js';

/** A managed policy as the API shows it, built in or the account's own. */
export interface ManagedPolicyView {
  readonly policy: ManagedPolicyRecord;
  readonly builtin: boolean;
  readonly attachmentCount: number;
}

export type PolicyScope = 'All' | 'AWS' | 'Local';

export interface PolicyService {
  create(
    name: string,
    path: string,
    description: string,
    document: string,
    now: number,
  ): Promise<ManagedPolicyRecord>;
  get(policyArn: string): Promise<ManagedPolicyView>;
  /** AWS managed ones first (Scope All), then the account's by name; only attached ones if asked. */
  list(
    scope: PolicyScope,
    onlyAttached: boolean,
    pathPrefix: string,
    page: PageRequest,
  ): Promise<Page<ManagedPolicyView>>;
  createVersion(
    policyArn: string,
    document: string,
    setAsDefault: boolean,
    now: number,
  ): Promise<PolicyVersionRecord>;
  getVersion(
    policyArn: string,
    versionId: string,
  ): Promise<{ version: PolicyVersionRecord; isDefault: boolean }>;
  listVersions(
    policyArn: string,
  ): Promise<{ versions: readonly PolicyVersionRecord[]; defaultVersionId: string }>;
  deleteVersion(policyArn: string, versionId: string): Promise<void>;
  setDefaultVersion(policyArn: string, versionId: string, now: number): Promise<void>;
  delete(policyArn: string): Promise<void>;
  attach(kind: PolicyOwnerKind, ownerName: string, policyArn: string, now: number): Promise<void>;
  detach(kind: PolicyOwnerKind, ownerName: string, policyArn: string): Promise<void>;
  listAttached(
    kind: PolicyOwnerKind,
    ownerName: string,
    pathPrefix: string,
  ): Promise<readonly ManagedPolicyRecord[]>;
  putInline(
    kind: PolicyOwnerKind,
    ownerName: string,
    policyName: string,
    document: string,
  ): Promise<void>;
  getInline(
    kind: PolicyOwnerKind,
    ownerName: string,
    policyName: string,
  ): Promise<InlinePolicyRecord>;
  deleteInline(kind: PolicyOwnerKind, ownerName: string, policyName: string): Promise<void>;
  listInline(kind: PolicyOwnerKind, ownerName: string): Promise<readonly InlinePolicyRecord[]>;
  /** The document a managed policy's default version holds (for authorization). */
  defaultDocument(policyArn: string): Promise<string | undefined>;
}

const BUILTIN_CREATED_AT = Date.UTC(2026, 0, 1);

/** Built-in policies as records: ARN in the `aws` partition, version v1, never changed. */
function builtinRecord(name: BuiltinPolicyName): ManagedPolicyRecord {
  return {
    // Stable across restarts and servers: derived from the name.
    policyId: `ANPA${createHash('sha256').update(name).digest('hex').slice(0, 17).toUpperCase()}`,
    policyName: name,
    path: '/',
    arn: builtinPolicyArn('aws', name),
    description: BUILTIN_POLICIES[name].description,
    defaultVersionId: 'v1',
    createdAt: BUILTIN_CREATED_AT,
    updatedAt: BUILTIN_CREATED_AT,
  };
}

function noSuchPolicy(policyArn: string): CodedError {
  return new CodedError('NoSuchEntity', `Policy ${policyArn} does not exist or is not attachable.`);
}

function builtinName(policyArn: string): BuiltinPolicyName | undefined {
  const canonical = awsManagedPolicyArn(policyArn);
  const name = canonical?.slice(canonical.lastIndexOf('/') + 1);
  return name !== undefined && isBuiltinPolicyName(name) ? name : undefined;
}

export function createPolicyService(deps: IamDependencies): PolicyService {
  const { iam, identity } = deps;

  /** The stored form of a policy ARN the caller gave, and whether it is built in. */
  function resolveArn(policyArn: string): { arn: string; builtin: BuiltinPolicyName | undefined } {
    const builtin = builtinName(policyArn);
    if (builtin !== undefined) return { arn: builtinPolicyArn('aws', builtin), builtin };
    if (awsManagedPolicyArn(policyArn) !== undefined) throw noSuchPolicy(policyArn);
    return { arn: customerPolicyArn(identity, policyArn), builtin: undefined };
  }

  async function requireCustomer(policyArn: string): Promise<ManagedPolicyRecord> {
    const { arn, builtin } = resolveArn(policyArn);
    if (builtin !== undefined) {
      throw new CodedError(
        'UnmodifiableEntity',
        `Policy ${arn} is an AWS managed policy and cannot be changed.`,
      );
    }
    const policy = await iam.policies.get(arn);
    if (policy === undefined) throw noSuchPolicy(policyArn);
    return policy;
  }

  async function view(policy: ManagedPolicyRecord, builtin: boolean): Promise<ManagedPolicyView> {
    return { policy, builtin, attachmentCount: await iam.attachments.count(policy.arn) };
  }

  return {
    async create(name, path, description, document, now) {
      if (isBuiltinPolicyName(name)) {
        throw new CodedError(
          'EntityAlreadyExists',
          `A policy called ${name} already exists. Duplicate names are not allowed.`,
        );
      }
      assertValidPolicy(document, 'managed');
      const policy: ManagedPolicyRecord = {
        policyId: newIamId('ANPA'),
        policyName: name,
        path,
        arn: iamArn(identity, 'policy', path, name),
        description,
        defaultVersionId: 'v1',
        createdAt: now,
        updatedAt: now,
      };
      if (!(await iam.policies.insert(policy, document))) {
        throw new CodedError(
          'EntityAlreadyExists',
          `A policy called ${name} already exists. Duplicate names are not allowed.`,
        );
      }
      return policy;
    },

    async get(policyArn) {
      const { arn, builtin } = resolveArn(policyArn);
      if (builtin !== undefined) return view(builtinRecord(builtin), true);
      const policy = await iam.policies.get(arn);
      if (policy === undefined) throw noSuchPolicy(policyArn);
      return view(policy, false);
    },

    async list(scope, onlyAttached, pathPrefix, page) {
      // The built-ins are few: they lead the first page of an unpaged listing (Scope All or
      // AWS); a continuation token always points into the account's own policies.
      // OnlyAttached filters the account's policies in the query, so their pages stay full.
      const builtins =
        scope === 'Local' || page.cursor !== undefined || pathPrefix !== '/'
          ? []
          : (
              await Promise.all(
                (Object.keys(BUILTIN_POLICIES) as BuiltinPolicyName[]).map((name) =>
                  view(builtinRecord(name), true),
                ),
              )
            ).filter((builtin) => !onlyAttached || builtin.attachmentCount > 0);
      const local =
        scope === 'AWS'
          ? { items: [] as ManagedPolicyRecord[] }
          : await iam.policies.list(pathPrefix, page, onlyAttached);
      return {
        items: [...builtins, ...(await Promise.all(local.items.map((p) => view(p, false))))],
        ...(local.nextCursor === undefined ? {} : { nextCursor: local.nextCursor }),
      };
    },

    async createVersion(policyArn, document, setAsDefault, now) {
      const policy = await requireCustomer(policyArn);
      assertValidPolicy(document, 'managed');
      const result = await iam.policies.addVersion(policy.arn, document, setAsDefault, now);
      if (result === 'missing') throw noSuchPolicy(policyArn);
      if (result === 'limit-exceeded') {
        throw new CodedError(
          'LimitExceeded',
          'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
        );
      }
      return result;
    },

    async getVersion(policyArn, versionId) {
      const { arn, builtin } = resolveArn(policyArn);
      if (builtin !== undefined) {
        if (versionId !== 'v1') throw noSuchPolicy(`${policyArn} version ${versionId}`);
        return {
          version: {
            policyArn: arn,
            versionId,
            document: BUILTIN_POLICIES[builtin].document,
            createdAt: BUILTIN_CREATED_AT,
          },
          isDefault: true,
        };
      }
      const policy = await requireCustomer(policyArn);
      const version = await iam.policies.getVersion(policy.arn, versionId);
      if (version === undefined) {
        throw new CodedError(
          'NoSuchEntity',
          `Policy ${policyArn} version ${versionId} does not exist or is not attachable.`,
        );
      }
      return { version, isDefault: policy.defaultVersionId === versionId };
    },

    async listVersions(policyArn) {
      const { builtin } = resolveArn(policyArn);
      if (builtin !== undefined) {
        const { version } = await this.getVersion(policyArn, 'v1');
        return { versions: [version], defaultVersionId: 'v1' };
      }
      const policy = await requireCustomer(policyArn);
      return {
        versions: await iam.policies.listVersions(policy.arn),
        defaultVersionId: policy.defaultVersionId,
      };
    },

    async deleteVersion(policyArn, versionId) {
      const policy = await requireCustomer(policyArn);
      const result = await iam.policies.deleteVersion(policy.arn, versionId);
      if (result === 'is-default') {
        throw new CodedError('DeleteConflict', 'Cannot delete the default version of a policy.');
      }
      if (result === 'missing') {
        throw new CodedError(
          'NoSuchEntity',
          `Policy ${policyArn} version ${versionId} does not exist.`,
        );
      }
    },

    async setDefaultVersion(policyArn, versionId, now) {
      const policy = await requireCustomer(policyArn);
      if (!(await iam.policies.setDefaultVersion(policy.arn, versionId, now))) {
        throw new CodedError(
          'NoSuchEntity',
          `Policy ${policyArn} version ${versionId} does not exist.`,
        );
      }
    },

    async delete(policyArn) {
      const policy = await requireCustomer(policyArn);
      if ((await iam.attachments.count(policy.arn)) > 0) {
        throw new CodedError('DeleteConflict', 'Cannot delete a policy attached to entities.');
      }
      if ((await iam.policies.listVersions(policy.arn)).length > 1) {
        throw new CodedError(
          'DeleteConflict',
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        );
      }
      await iam.policies.delete(policy.arn);
    },

    async attach(kind, ownerName, policyArn, now) {
      const id = await ownerId(deps, kind, ownerName);
      const { policy } = await this.get(policyArn);
      await iam.attachments.attach(kind, id, policy.arn, now);
    },

    async detach(kind, ownerName, policyArn) {
      const id = await ownerId(deps, kind, ownerName);
      const { arn } = resolveArn(policyArn);
      if (!(await iam.attachments.detach(kind, id, arn))) {
        throw new CodedError('NoSuchEntity', `Policy ${policyArn} was not found.`);
      }
    },

    async listAttached(kind, ownerName, pathPrefix) {
      const id = await ownerId(deps, kind, ownerName);
      const attached: ManagedPolicyRecord[] = [];
      for (const { policyArn } of await iam.attachments.listFor(kind, id)) {
        const builtin = builtinName(policyArn);
        const policy =
          builtin !== undefined ? builtinRecord(builtin) : await iam.policies.get(policyArn);
        if (policy !== undefined && policy.path.startsWith(pathPrefix)) attached.push(policy);
      }
      return attached;
    },

    async putInline(kind, ownerName, policyName, document) {
      const id = await ownerId(deps, kind, ownerName);
      assertValidPolicy(document, kind);
      await iam.inlinePolicies.put({ ownerKind: kind, ownerId: id, policyName, document });
    },

    async getInline(kind, ownerName, policyName) {
      const id = await ownerId(deps, kind, ownerName);
      const policy = await iam.inlinePolicies.get(kind, id, policyName);
      if (policy === undefined) {
        throw new CodedError(
          'NoSuchEntity',
          `The ${kind} policy with name ${policyName} cannot be found.`,
        );
      }
      return policy;
    },

    async deleteInline(kind, ownerName, policyName) {
      const id = await ownerId(deps, kind, ownerName);
      if (!(await iam.inlinePolicies.delete(kind, id, policyName))) {
        throw new CodedError(
          'NoSuchEntity',
          `The ${kind} policy with name ${policyName} cannot be found.`,
        );
      }
    },

    async listInline(kind, ownerName) {
      return iam.inlinePolicies.list(kind, await ownerId(deps, kind, ownerName));
    },

    async defaultDocument(policyArn) {
      const builtin = builtinName(policyArn);
      if (builtin !== undefined) return BUILTIN_POLICIES[builtin].document;
      const policy = await iam.policies.get(policyArn);
      if (policy === undefined) return undefined;
      return (await iam.policies.getVersion(policy.arn, policy.defaultVersionId))?.document;
    },
  };
}
