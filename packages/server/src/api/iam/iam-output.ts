// IAM's response shapes (User, Group, Role, Policy, PolicyVersion, AccessKey…) from records,
// as the XML writer takes them. Policy documents leave URL-encoded, as IAM sends them (the AWS
// CLI and SDKs decode them).

import type { XmlValue } from '../../http/xml-response.js';
import type { ManagedPolicyView } from '../../services/iam/policies.js';
import type {
  IamGroupRecord,
  IamRoleRecord,
  IamUserRecord,
  ManagedPolicyRecord,
  PolicyVersionRecord,
} from '../../storage/iam-records.js';
import type { AccessKeyRecord, Page, Tag } from '../../storage/records.js';

export function tagsOut(tags: readonly Tag[]): XmlValue {
  return tags.map((tag) => ({ Key: tag.key, Value: tag.value }));
}

export function userOut(user: IamUserRecord, withTags = false): XmlValue {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: new Date(user.createdAt),
    Tags: withTags && user.tags.length > 0 ? tagsOut(user.tags) : undefined,
  };
}

export function groupOut(group: IamGroupRecord): XmlValue {
  return {
    Path: group.path,
    GroupName: group.groupName,
    GroupId: group.groupId,
    Arn: group.arn,
    CreateDate: new Date(group.createdAt),
  };
}

export function roleOut(role: IamRoleRecord, withTags = false): XmlValue {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createdAt),
    AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy),
    Description: role.description === '' ? undefined : role.description,
    MaxSessionDuration: role.maxSessionDuration,
    Tags: withTags && role.tags.length > 0 ? tagsOut(role.tags) : undefined,
  };
}

export function policyOut({ policy, attachmentCount }: ManagedPolicyView): XmlValue {
  return {
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: policy.description === '' ? undefined : policy.description,
    CreateDate: new Date(policy.createdAt),
    UpdateDate: new Date(policy.updatedAt),
  };
}

export function versionOut(version: PolicyVersionRecord, isDefault: boolean): XmlValue {
  return {
    Document: encodeURIComponent(version.document),
    ...versionMetadataOut(version, isDefault),
  };
}

/** A version without its document, as ListPolicyVersions shows it. */
export function versionMetadataOut(version: PolicyVersionRecord, isDefault: boolean) {
  return {
    VersionId: version.versionId,
    IsDefaultVersion: isDefault,
    CreateDate: new Date(version.createdAt),
  };
}

export function attachedOut(policies: readonly ManagedPolicyRecord[]): XmlValue {
  return policies.map((policy) => ({ PolicyName: policy.policyName, PolicyArn: policy.arn }));
}

export function keyMetadataOut(userName: string, key: AccessKeyRecord): XmlValue {
  return {
    UserName: userName,
    AccessKeyId: key.accessKeyId,
    Status: key.active ? 'Active' : 'Inactive',
    CreateDate: new Date(key.createdAt),
  };
}

/** `{<field>: [...], IsTruncated, Marker}`: IAM's paged listing. */
export function pageOut<T>(field: string, page: Page<T>, item: (value: T) => XmlValue): XmlValue {
  return {
    [field]: page.items.map(item),
    IsTruncated: page.nextCursor !== undefined,
    Marker: page.nextCursor,
  };
}
