// Every IAM operation this server answers, for the query dispatcher.

import { addUserToGroup } from './add-user-to-group.js';
import { attachGroupPolicy } from './attach-group-policy.js';
import { attachRolePolicy } from './attach-role-policy.js';
import { attachUserPolicy } from './attach-user-policy.js';
import { createAccessKey } from './create-access-key.js';
import { createGroup } from './create-group.js';
import { createLoginProfile } from './create-login-profile.js';
import { createPolicy } from './create-policy.js';
import { createPolicyVersion } from './create-policy-version.js';
import { createRole } from './create-role.js';
import { createUser } from './create-user.js';
import { deleteAccessKey } from './delete-access-key.js';
import { deleteGroup } from './delete-group.js';
import { deleteGroupPolicy } from './delete-group-policy.js';
import { deleteLoginProfile } from './delete-login-profile.js';
import { deletePolicy } from './delete-policy.js';
import { deletePolicyVersion } from './delete-policy-version.js';
import { deleteRole } from './delete-role.js';
import { deleteRolePolicy } from './delete-role-policy.js';
import { deleteUser } from './delete-user.js';
import { deleteUserPolicy } from './delete-user-policy.js';
import { detachGroupPolicy } from './detach-group-policy.js';
import { detachRolePolicy } from './detach-role-policy.js';
import { detachUserPolicy } from './detach-user-policy.js';
import { getAccessKeyLastUsed } from './get-access-key-last-used.js';
import { getGroup } from './get-group.js';
import { getGroupPolicy } from './get-group-policy.js';
import { getLoginProfile } from './get-login-profile.js';
import { getPolicy } from './get-policy.js';
import { getPolicyVersion } from './get-policy-version.js';
import { getRole } from './get-role.js';
import { getRolePolicy } from './get-role-policy.js';
import { getUser } from './get-user.js';
import { getUserPolicy } from './get-user-policy.js';
import { listAccessKeys } from './list-access-keys.js';
import { listAttachedGroupPolicies } from './list-attached-group-policies.js';
import { listAttachedRolePolicies } from './list-attached-role-policies.js';
import { listAttachedUserPolicies } from './list-attached-user-policies.js';
import { listGroupPolicies } from './list-group-policies.js';
import { listGroups } from './list-groups.js';
import { listGroupsForUser } from './list-groups-for-user.js';
import { listPolicies } from './list-policies.js';
import { listPolicyVersions } from './list-policy-versions.js';
import { listRolePolicies } from './list-role-policies.js';
import { listRoleTags } from './list-role-tags.js';
import { listRoles } from './list-roles.js';
import { listUserPolicies } from './list-user-policies.js';
import { listUserTags } from './list-user-tags.js';
import { listUsers } from './list-users.js';
import { putGroupPolicy } from './put-group-policy.js';
import { putRolePolicy } from './put-role-policy.js';
import { putUserPolicy } from './put-user-policy.js';
import { removeUserFromGroup } from './remove-user-from-group.js';
import { setDefaultPolicyVersion } from './set-default-policy-version.js';
import { tagRole } from './tag-role.js';
import { tagUser } from './tag-user.js';
import { untagRole } from './untag-role.js';
import { untagUser } from './untag-user.js';
import { updateAccessKey } from './update-access-key.js';
import { updateAssumeRolePolicy } from './update-assume-role-policy.js';
import { updateGroup } from './update-group.js';
import { updateLoginProfile } from './update-login-profile.js';
import { updateUser } from './update-user.js';
import type { AnyQueryOperation } from './query-operation.js';
import { simulateCustomPolicy } from './simulate-custom-policy.js';
import { simulatePrincipalPolicy } from './simulate-principal-policy.js';

export const IAM_OPERATIONS: readonly AnyQueryOperation[] = [
  addUserToGroup,
  attachGroupPolicy,
  attachRolePolicy,
  attachUserPolicy,
  createAccessKey,
  createGroup,
  createLoginProfile,
  createPolicy,
  createPolicyVersion,
  createRole,
  createUser,
  deleteAccessKey,
  deleteGroup,
  deleteGroupPolicy,
  deleteLoginProfile,
  deletePolicy,
  deletePolicyVersion,
  deleteRole,
  deleteRolePolicy,
  deleteUser,
  deleteUserPolicy,
  detachGroupPolicy,
  detachRolePolicy,
  detachUserPolicy,
  getAccessKeyLastUsed,
  getGroup,
  getGroupPolicy,
  getLoginProfile,
  getPolicy,
  getPolicyVersion,
  getRole,
  getRolePolicy,
  getUser,
  getUserPolicy,
  listAccessKeys,
  listAttachedGroupPolicies,
  listAttachedRolePolicies,
  listAttachedUserPolicies,
  listGroupPolicies,
  listGroups,
  listGroupsForUser,
  listPolicies,
  listPolicyVersions,
  listRolePolicies,
  listRoleTags,
  listRoles,
  listUserPolicies,
  listUserTags,
  listUsers,
  putGroupPolicy,
  putRolePolicy,
  putUserPolicy,
  removeUserFromGroup,
  setDefaultPolicyVersion,
  simulateCustomPolicy,
  simulatePrincipalPolicy,
  tagRole,
  tagUser,
  untagRole,
  untagUser,
  updateAccessKey,
  updateAssumeRolePolicy,
  updateGroup,
  updateLoginProfile,
  updateUser,
];
