// IAM groups and their members.

import { CodedError } from '@openssm/protocol';
import type { IamGroupRecord, IamUserRecord } from '../../storage/iam-records.js';
import type { Page, PageRequest } from '../../storage/records.js';
import { newIamId } from '../identifiers.js';
import { iamArn } from './iam-arns.js';
import { requireGroup, requireUser, type IamDependencies } from './iam-context.js';

export interface GroupService {
  create(groupName: string, path: string, now: number): Promise<IamGroupRecord>;
  get(groupName: string): Promise<{ group: IamGroupRecord; members: readonly IamUserRecord[] }>;
  list(pathPrefix: string, page: PageRequest): Promise<Page<IamGroupRecord>>;
  update(
    groupName: string,
    newName: string | undefined,
    newPath: string | undefined,
  ): Promise<void>;
  delete(groupName: string): Promise<void>;
  addUser(groupName: string, userName: string): Promise<void>;
  removeUser(groupName: string, userName: string): Promise<void>;
  listForUser(userName: string): Promise<readonly IamGroupRecord[]>;
}

export function createGroupService(deps: IamDependencies): GroupService {
  const { iam, identity } = deps;
  return {
    async create(groupName, path, now) {
      const group: IamGroupRecord = {
        groupId: newIamId('AGPA'),
        groupName,
        path,
        arn: iamArn(identity, 'group', path, groupName),
        createdAt: now,
      };
      if (!(await iam.groups.insert(group))) {
        throw new CodedError('EntityAlreadyExists', `Group with name ${groupName} already exists.`);
      }
      return group;
    },

    async get(groupName) {
      const group = await requireGroup(deps, groupName);
      return { group, members: await iam.groups.listMembers(group.groupId) };
    },

    list: (pathPrefix, page) => iam.groups.list(pathPrefix, page),

    async update(groupName, newName, newPath) {
      const group = await requireGroup(deps, groupName);
      const name = newName ?? group.groupName;
      const path = newPath ?? group.path;
      const result = await iam.groups.rename(groupName, {
        name,
        path,
        arn: iamArn(identity, 'group', path, name),
      });
      if (result === 'name-taken') {
        throw new CodedError('EntityAlreadyExists', `Group with name ${name} already exists.`);
      }
    },

    async delete(groupName) {
      const group = await requireGroup(deps, groupName);
      if ((await iam.groups.listMembers(group.groupId)).length > 0) {
        throw new CodedError(
          'DeleteConflict',
          'Cannot delete entity, must remove users from group first.',
        );
      }
      if (
        (await iam.attachments.listFor('group', group.groupId)).length > 0 ||
        (await iam.inlinePolicies.list('group', group.groupId)).length > 0
      ) {
        throw new CodedError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
      }
      await iam.groups.delete(groupName);
    },

    async addUser(groupName, userName) {
      const group = await requireGroup(deps, groupName);
      const user = await requireUser(deps, userName);
      await iam.groups.addMember(group.groupId, user.userId);
    },

    async removeUser(groupName, userName) {
      const group = await requireGroup(deps, groupName);
      const user = await requireUser(deps, userName);
      if (!(await iam.groups.removeMember(group.groupId, user.userId))) {
        throw new CodedError('NoSuchEntity', `User ${userName} is not in group ${groupName}.`);
      }
    },

    async listForUser(userName) {
      const user = await requireUser(deps, userName);
      return iam.groups.listForUser(user.userId);
    },
  };
}
