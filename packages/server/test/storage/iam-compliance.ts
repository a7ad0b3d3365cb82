// The IAM part of the storage compliance suite: users, groups and members, roles, managed
// policies and their versions, attachments, inline policies and login profiles, through the
// repository interfaces only. Names are unique and found without regard to case.

import { describe, expect, it } from 'vitest';
import type {
  IamGroupRecord,
  IamRoleRecord,
  IamUserRecord,
  ManagedPolicyRecord,
  Storage,
} from '../../src/storage/index.js';

const T0 = 1_795_719_693_230;
const ACCOUNT = 'arn:openssm:iam::000000000000';

function user(name: string, path = '/', overrides: Partial<IamUserRecord> = {}): IamUserRecord {
  return {
    userId: `AIDA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    userName: name,
    path,
    arn: `${ACCOUNT}:user${path}${name}`,
    tags: [],
    createdAt: T0,
    ...overrides,
  };
}

function group(name: string): IamGroupRecord {
  return {
    groupId: `AGPA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    groupName: name,
    path: '/',
    arn: `${ACCOUNT}:group/${name}`,
    createdAt: T0,
  };
}

function role(name: string): IamRoleRecord {
  return {
    roleId: `AROA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    roleName: name,
    path: '/service/',
    arn: `${ACCOUNT}:role/service/${name}`,
    description: 'what it is for',
    trustPolicy: '{"Version":"2012-10-17","Statement":[]}',
    maxSessionDuration: 3600,
    tags: [{ key: 'Team', value: 'ops' }],
    createdAt: T0,
  };
}

function policy(name: string): ManagedPolicyRecord {
  return {
    policyId: `ANPA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`,
    policyName: name,
    path: '/',
    arn: `${ACCOUNT}:policy/${name}`,
    description: '',
    defaultVersionId: 'v1',
    createdAt: T0,
    updatedAt: T0,
  };
}

export function describeIamCompliance(current: () => Storage): void {
  describe('iam', () => {
    it('stores users with tags, unique and found without regard to case, listed by path', async () => {
      const { users } = current().iam;
      expect(await users.insert(user('alice', '/', { tags: [{ key: 'k', value: 'v' }] }))).toBe(
        true,
      );
      expect(await users.insert(user('ALICE', '/', { userId: 'AIDAOTHER' }))).toBe(false);
      expect(await users.insert(user('bob', '/ops/'))).toBe(true);
      expect(await users.insert(user('carol', '/ops/team/'))).toBe(true);
      expect((await users.get('Alice'))?.tags).toEqual([{ key: 'k', value: 'v' }]);
      expect((await users.getById(user('bob').userId))?.userName).toBe('bob');
      const all = await users.list('/', { limit: 2 });
      expect(all.items.map((u) => u.userName)).toEqual(['alice', 'bob']);
      const rest = await users.list('/', { limit: 2, cursor: all.nextCursor! });
      expect(rest.items.map((u) => u.userName)).toEqual(['carol']);
      expect(rest.nextCursor).toBeUndefined();
      expect((await users.list('/ops/', { limit: 10 })).items.map((u) => u.userName)).toEqual([
        'bob',
        'carol',
      ]);
    });

    it('renames and moves a user, refusing a name another user has', async () => {
      const { users } = current().iam;
      await users.insert(user('alice'));
      await users.insert(user('bob'));
      expect(await users.rename('alice', { name: 'BOB', path: '/', arn: 'x' })).toBe('name-taken');
      expect(await users.rename('ALICE', { name: 'Alicia', path: '/x/', arn: 'arn:new' })).toBe(
        'updated',
      );
      expect(await users.rename('nobody', { name: 'n', path: '/', arn: 'a' })).toBe('missing');
      expect(await users.get('alice')).toBeUndefined();
      expect(await users.get('alicia')).toMatchObject({
        userName: 'Alicia',
        path: '/x/',
        arn: 'arn:new',
      });
      expect(await users.setTags('alicia', [{ key: 'a', value: '' }])).toBe(true);
      expect((await users.get('alicia'))?.tags).toEqual([{ key: 'a', value: '' }]);
      expect(await users.delete('ALICIA')).toBe(true);
      expect(await users.delete('alicia')).toBe(false);
    });

    it('keeps group members, and the groups of a user', async () => {
      const { users, groups } = current().iam;
      await users.insert(user('alice'));
      await users.insert(user('bob'));
      expect(await groups.insert(group('devs'))).toBe(true);
      expect(await groups.insert(group('DEVS'))).toBe(false);
      await groups.insert(group('ops'));
      await groups.addMember(group('devs').groupId, user('bob').userId);
      await groups.addMember(group('devs').groupId, user('alice').userId);
      await groups.addMember(group('devs').groupId, user('alice').userId);
      await groups.addMember(group('ops').groupId, user('alice').userId);
      expect((await groups.listMembers(group('devs').groupId)).map((u) => u.userName)).toEqual([
        'alice',
        'bob',
      ]);
      expect((await groups.listForUser(user('alice').userId)).map((g) => g.groupName)).toEqual([
        'devs',
        'ops',
      ]);
      expect(await groups.removeMember(group('devs').groupId, user('bob').userId)).toBe(true);
      expect(await groups.removeMember(group('devs').groupId, user('bob').userId)).toBe(false);
      expect(await groups.rename('devs', { name: 'developers', path: '/', arn: 'a' })).toBe(
        'updated',
      );
      expect((await groups.get('Developers'))?.groupId).toBe(group('devs').groupId);
      expect((await groups.list('/', { limit: 10 })).items.map((g) => g.groupName)).toEqual([
        'developers',
        'ops',
      ]);
      expect(await groups.delete('ops')).toBe(true);
    });

    it('stores roles and updates their trust policy, description and session length', async () => {
      const { roles } = current().iam;
      expect(await roles.insert(role('Web'))).toBe(true);
      expect(await roles.insert(role('web'))).toBe(false);
      expect(await roles.get('WEB')).toEqual(role('Web'));
      expect(await roles.getById(role('Web').roleId)).toEqual(role('Web'));
      expect(await roles.update('web', { trustPolicy: '{}', maxSessionDuration: 7200 })).toBe(true);
      expect(await roles.get('web')).toMatchObject({
        trustPolicy: '{}',
        maxSessionDuration: 7200,
        description: 'what it is for',
      });
      expect(await roles.update('none', { description: 'x' })).toBe(false);
      expect(await roles.setTags('web', [])).toBe(true);
      expect((await roles.list('/service/', { limit: 5 })).items).toHaveLength(1);
      expect(await roles.delete('web')).toBe(true);
    });

    it('keeps at most five policy versions, never reuses a number, guards the default', async () => {
      const { policies } = current().iam;
      const arn = policy('Ops').arn;
      expect(await policies.insert(policy('Ops'), '{"v":1}')).toBe(true);
      expect(await policies.insert({ ...policy('OPS'), arn: `${arn}2` }, '{}')).toBe(false);
      for (let n = 2; n <= 5; n++) {
        const added = await policies.addVersion(arn, `{"v":${n}}`, n === 3, T0 + n);
        expect(added).toMatchObject({ versionId: `v${n}` });
      }
      expect(await policies.addVersion(arn, '{}', false, T0)).toBe('limit-exceeded');
      expect((await policies.get(arn))?.defaultVersionId).toBe('v3');
      expect(await policies.deleteVersion(arn, 'v3')).toBe('is-default');
      expect(await policies.deleteVersion(arn, 'v2')).toBe('deleted');
      expect(await policies.deleteVersion(arn, 'v2')).toBe('missing');
      expect(await policies.addVersion(arn, '{"v":6}', false, T0 + 6)).toMatchObject({
        versionId: 'v6',
      });
      expect((await policies.listVersions(arn)).map((v) => v.versionId)).toEqual([
        'v6',
        'v5',
        'v4',
        'v3',
        'v1',
      ]);
      expect(await policies.setDefaultVersion(arn, 'v9', T0)).toBe(false);
      expect(await policies.setDefaultVersion(arn, 'v6', T0 + 9)).toBe(true);
      expect(await policies.getVersion(arn, 'v6')).toMatchObject({ document: '{"v":6}' });
      expect(await policies.addVersion(`${arn}x`, '{}', false, T0)).toBe('missing');
      expect(await policies.delete(arn)).toBe(true);
      expect(await policies.listVersions(arn)).toEqual([]);
    });

    it('lists only attached policies in full pages', async () => {
      const { policies, attachments } = current().iam;
      for (const name of ['A1', 'B0', 'C1', 'D0', 'E1', 'F1']) {
        expect(await policies.insert(policy(name), '{}')).toBe(true);
        if (name.endsWith('1')) await attachments.attach('group', 'AGPA1', policy(name).arn, T0);
      }
      const first = await policies.list('/', { limit: 2 }, true);
      expect(first.items.map((p) => p.policyName)).toEqual(['A1', 'C1']);
      const second = await policies.list('/', { limit: 2, cursor: first.nextCursor! }, true);
      expect(second.items.map((p) => p.policyName)).toEqual(['E1', 'F1']);
      expect(second.nextCursor).toBeUndefined();
      expect((await policies.list('/', { limit: 10 })).items).toHaveLength(6);
    });

    it('attaches managed policies to owners and counts attachments', async () => {
      const { attachments } = current().iam;
      await attachments.attach('user', 'AIDA1', 'arn:p1', T0);
      await attachments.attach('user', 'AIDA1', 'arn:p1', T0 + 1);
      await attachments.attach('user', 'AIDA1', 'arn:p2', T0 + 2);
      await attachments.attach('role', 'AIDA1', 'arn:p1', T0);
      expect((await attachments.listFor('user', 'AIDA1')).map((a) => a.policyArn)).toEqual([
        'arn:p1',
        'arn:p2',
      ]);
      expect(await attachments.count('arn:p1')).toBe(2);
      expect(await attachments.detach('user', 'AIDA1', 'arn:p1')).toBe(true);
      expect(await attachments.detach('user', 'AIDA1', 'arn:p1')).toBe(false);
      expect(await attachments.count('arn:p1')).toBe(1);
    });

    it('replaces inline policies by name without regard to case', async () => {
      const { inlinePolicies } = current().iam;
      const put = (name: string, document: string) =>
        inlinePolicies.put({ ownerKind: 'group', ownerId: 'AGPA1', policyName: name, document });
      await put('Read', '{"a":1}');
      await put('READ', '{"a":2}');
      await put('Write', '{}');
      expect(await inlinePolicies.get('group', 'AGPA1', 'read')).toEqual({
        ownerKind: 'group',
        ownerId: 'AGPA1',
        policyName: 'READ',
        document: '{"a":2}',
      });
      expect((await inlinePolicies.list('group', 'AGPA1')).map((p) => p.policyName)).toEqual([
        'READ',
        'Write',
      ]);
      expect(await inlinePolicies.list('user', 'AGPA1')).toEqual([]);
      expect(await inlinePolicies.delete('group', 'AGPA1', 'write')).toBe(true);
      expect(await inlinePolicies.delete('group', 'AGPA1', 'write')).toBe(false);
    });

    it('keeps one login profile per user, replaced on update', async () => {
      const { loginProfiles } = current().iam;
      const profile = {
        userId: 'AIDA1',
        passwordHash: 'scrypt$1$1$1$a$b',
        passwordResetRequired: true,
        createdAt: T0,
      };
      await loginProfiles.put(profile);
      await loginProfiles.put({
        ...profile,
        passwordHash: 'scrypt$2',
        passwordResetRequired: false,
      });
      expect(await loginProfiles.get('AIDA1')).toEqual({
        ...profile,
        passwordHash: 'scrypt$2',
        passwordResetRequired: false,
      });
      expect(await loginProfiles.delete('AIDA1')).toBe(true);
      expect(await loginProfiles.get('AIDA1')).toBeUndefined();
    });

    it('keeps one MFA device per user, claims each step once, and drops it with the user', async () => {
      const { mfaDevices, users } = current().iam;
      const owner = user('mfa-owner');
      expect(await users.insert(owner)).toBe(true);
      const device = {
        userId: owner.userId,
        sealedSecret: 'v1:sealed',
        enabled: false,
        createdAt: T0,
        lastUsedStep: null,
      };
      await mfaDevices.put(device);
      expect(await mfaDevices.get(owner.userId)).toEqual(device);
      await mfaDevices.setEnabled(owner.userId, true);
      expect(await mfaDevices.claimStep(owner.userId, 100)).toBe(true);
      expect(await mfaDevices.claimStep(owner.userId, 100)).toBe(false);
      expect(await mfaDevices.claimStep(owner.userId, 99)).toBe(false);
      expect(await mfaDevices.claimStep(owner.userId, 101)).toBe(true);
      expect(await mfaDevices.get(owner.userId)).toEqual({
        ...device,
        enabled: true,
        lastUsedStep: 101,
      });
      await users.delete(owner.userName);
      expect(await mfaDevices.get(owner.userId)).toBeUndefined();
      expect(await mfaDevices.delete(owner.userId)).toBe(false);
    });

    it('keeps console sessions by token hash, expires, trims and revokes them, and drops them with the user', async () => {
      const { consoleSessions, users } = current().iam;
      const owner = user('console-owner');
      const other = user('console-other');
      expect(await users.insert(owner)).toBe(true);
      expect(await users.insert(other)).toBe(true);
      const session = (n: number, userId = owner.userId, lastUsedAt = T0 + n) => ({
        tokenHash: n.toString(16).padStart(64, '0'),
        userId,
        multiFactor: false,
        createdAt: T0 + n,
        lastUsedAt,
        expiresAt: T0 + n + 1000,
      });
      for (const n of [1, 2, 3, 4]) await consoleSessions.insert(session(n));
      await consoleSessions.insert(session(5, other.userId));
      expect(await consoleSessions.get(session(1).tokenHash)).toEqual(session(1));
      expect(await consoleSessions.get('f'.repeat(64))).toBeUndefined();

      expect(await consoleSessions.touch(session(1).tokenHash, T0 + 500)).toBe(true);
      // Never backwards: a slower replica's older time does not undo a newer one.
      expect(await consoleSessions.touch(session(1).tokenHash, T0 + 400)).toBe(true);
      expect(await consoleSessions.setMultiFactor(session(1).tokenHash)).toBe(true);
      expect(await consoleSessions.get(session(1).tokenHash)).toEqual({
        ...session(1),
        lastUsedAt: T0 + 500,
        multiFactor: true,
      });

      // Keeps the newest three of the owner's four; the other user's session is untouched.
      expect(await consoleSessions.trimUser(owner.userId, 3)).toBe(1);
      expect(await consoleSessions.get(session(1).tokenHash)).toBeUndefined();
      expect(await consoleSessions.get(session(5).tokenHash)).toBeDefined();

      // Past the hard end (2: expires T0+1002) or idle since before T0+4 (3) go; 4 stays.
      expect(await consoleSessions.deleteExpired(T0 + 1002, T0 + 4)).toBe(2);
      expect(await consoleSessions.get(session(4).tokenHash)).toBeDefined();

      expect(await consoleSessions.delete(session(4).tokenHash)).toBe(true);
      expect(await consoleSessions.delete(session(4).tokenHash)).toBe(false);
      expect(await consoleSessions.touch(session(4).tokenHash, T0)).toBe(false);

      await consoleSessions.insert(session(6));
      await consoleSessions.insert(session(7));
      expect(await consoleSessions.deleteForUser(owner.userId)).toBe(2);
      await consoleSessions.insert(session(8, other.userId));
      await users.delete(other.userName);
      expect(await consoleSessions.get(session(5).tokenHash)).toBeUndefined();
      expect(await consoleSessions.get(session(8).tokenHash)).toBeUndefined();
    });
  });
}
