// Managed instances in SQLite, with their tags. Deregistration is final: a deregistered
// instance stays readable by id (and listable on request) but no longer changes.

import { assertPageLimit, decodeCursor, pageFromRows } from '../pagination.js';
import type {
  InstanceInformationUpdate,
  ManagedInstanceRecord,
  Page,
  PageRequest,
  PlatformType,
  Tag,
} from '../records.js';
import type { InstanceFilter, InstanceRepository } from '../repositories.js';
import { promised, type SqliteDatabase } from './database.js';
import { SqliteTags } from './tags.js';
import { WhereClause } from './where-clause.js';

const LISTING = 'instances';

// Every update below applies to live instances only, so a deregistered node's late heartbeat
// or a tag call racing the deregistration reports false instead of changing a final record.
const LIVE = 'instance_id = ? AND deregistered_at IS NULL';

interface InstanceRow {
  readonly instance_id: string;
  readonly activation_id: string;
  readonly name: string;
  readonly iam_role: string;
  readonly public_key: string;
  readonly public_key_type: 'Rsa';
  readonly fingerprint: string;
  readonly registered_at: number;
  readonly platform_type: PlatformType | null;
  readonly platform_name: string;
  readonly platform_version: string;
  readonly agent_version: string;
  readonly ip_address: string;
  readonly computer_name: string;
  readonly last_ping_at: number | null;
  readonly deregistered_at: number | null;
}

export class SqliteInstanceRepository implements InstanceRepository {
  private readonly tags;
  private readonly insertInstance;
  private readonly selectInstance;
  private readonly selectLive;
  private readonly updateInfo;
  private readonly updatePing;
  private readonly updateKey;
  private readonly deregister;

  constructor(private readonly db: SqliteDatabase) {
    this.tags = new SqliteTags(db, { table: 'instance_tags', owner: 'instance_id' });
    this.insertInstance = db.prepare(
      `INSERT INTO instances (instance_id, activation_id, name, iam_role, public_key,
         public_key_type, fingerprint, registered_at, platform_type, platform_name,
         platform_version, agent_version, ip_address, computer_name, last_ping_at,
         deregistered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectInstance = db.prepare('SELECT * FROM instances WHERE instance_id = ?');
    this.selectLive = db.prepare(`SELECT 1 FROM instances WHERE ${LIVE}`);
    // UpdateInstanceInformation is the agent's heartbeat, so it also counts as a ping.
    this.updateInfo = db.prepare(
      `UPDATE instances SET platform_type = ?, platform_name = ?, platform_version = ?,
         agent_version = ?, ip_address = ?, computer_name = ?, last_ping_at = ?
       WHERE ${LIVE}`,
    );
    this.updatePing = db.prepare(`UPDATE instances SET last_ping_at = ? WHERE ${LIVE}`);
    this.updateKey = db.prepare(`UPDATE instances SET public_key = ? WHERE ${LIVE}`);
    // Keeps the first deregistration time; a second call reports false, as for a missing id.
    this.deregister = db.prepare(`UPDATE instances SET deregistered_at = ? WHERE ${LIVE}`);
  }

  insert(instance: ManagedInstanceRecord): Promise<void> {
    return promised(() => {
      this.db.transaction(() => {
        this.insertInstance.run(
          instance.instanceId,
          instance.activationId,
          instance.name,
          instance.iamRole,
          instance.publicKey,
          instance.publicKeyType,
          instance.fingerprint,
          instance.registeredAt,
          instance.platformType,
          instance.platformName,
          instance.platformVersion,
          instance.agentVersion,
          instance.ipAddress,
          instance.computerName,
          instance.lastPingAt,
          instance.deregisteredAt,
        );
        this.tags.put(instance.instanceId, instance.tags);
      })();
    });
  }

  get(instanceId: string): Promise<ManagedInstanceRecord | undefined> {
    return promised(() => {
      const row = this.selectInstance.get(instanceId) as InstanceRow | undefined;
      return row && this.withTags([row])[0];
    });
  }

  list(filter: InstanceFilter, page: PageRequest): Promise<Page<ManagedInstanceRecord>> {
    return promised(() => {
      assertPageLimit(page.limit);
      const where = new WhereClause()
        .in('instance_id', filter.instanceIds)
        .notIn('instance_id', filter.excludeInstanceIds)
        .in('activation_id', filter.activationIds)
        .in('iam_role', filter.iamRoles)
        .in('platform_type', filter.platformTypes)
        .in('agent_version', filter.agentVersions)
        .in('name', filter.names);
      for (const tag of filter.tags ?? []) {
        const exists =
          'EXISTS (SELECT 1 FROM instance_tags t WHERE t.instance_id = i.instance_id AND t.tag_key = ?';
        if (tag.values.length === 0) {
          where.and(`${exists})`, tag.key);
        } else {
          where.and(
            `${exists} AND t.tag_value IN (SELECT value FROM json_each(?)))`,
            tag.key,
            JSON.stringify(tag.values),
          );
        }
      }
      if (filter.includeDeregistered !== true) where.and('deregistered_at IS NULL');
      const ping = filter.pingStatus;
      if (ping !== undefined) {
        const connected = 'instance_id IN (SELECT value FROM json_each(?))';
        const seen = 'COALESCE(last_ping_at, registered_at)';
        const parts: string[] = [];
        const params: (string | number)[] = [];
        const ids = JSON.stringify(ping.connectedIds);
        if (ping.online) {
          parts.push(connected);
          params.push(ids);
        }
        if (ping.connectionLost) {
          parts.push(`(NOT ${connected} AND ${seen} >= ?)`);
          params.push(ids, ping.inactiveSince);
        }
        if (ping.inactive) {
          parts.push(`(NOT ${connected} AND ${seen} < ?)`);
          params.push(ids, ping.inactiveSince);
        }
        where.and(parts.length === 0 ? '0' : `(${parts.join(' OR ')})`, ...params);
      }
      if (page.cursor !== undefined) {
        const [instanceId] = decodeCursor(LISTING, page.cursor, ['string']);
        where.and('instance_id > ?', instanceId);
      }
      const rows = this.db
        .prepare(`SELECT i.* FROM instances i ${where.toString()} ORDER BY instance_id LIMIT ?`)
        .all(...where.params, page.limit + 1) as InstanceRow[];
      return pageFromRows(this.withTags(rows), page.limit, LISTING, (instance) => [
        instance.instanceId,
      ]);
    });
  }

  updateInformation(
    instanceId: string,
    update: InstanceInformationUpdate,
    now: number,
  ): Promise<boolean> {
    return promised(
      () =>
        this.updateInfo.run(
          update.platformType,
          update.platformName,
          update.platformVersion,
          update.agentVersion,
          update.ipAddress,
          update.computerName,
          now,
          instanceId,
        ).changes > 0,
    );
  }

  touch(instanceId: string, now: number): Promise<boolean> {
    return promised(() => this.updatePing.run(now, instanceId).changes > 0);
  }

  updatePublicKey(instanceId: string, publicKey: string): Promise<boolean> {
    return promised(() => this.updateKey.run(publicKey, instanceId).changes > 0);
  }

  markDeregistered(instanceId: string, now: number): Promise<boolean> {
    return promised(() => this.deregister.run(now, instanceId).changes > 0);
  }

  addTags(instanceId: string, tags: readonly Tag[]): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        if (this.selectLive.get(instanceId) === undefined) return false;
        this.tags.put(instanceId, tags);
        return true;
      })(),
    );
  }

  removeTags(instanceId: string, keys: readonly string[]): Promise<boolean> {
    return promised(() =>
      this.db.transaction(() => {
        if (this.selectLive.get(instanceId) === undefined) return false;
        this.tags.remove(instanceId, keys);
        return true;
      })(),
    );
  }

  private withTags(rows: readonly InstanceRow[]): ManagedInstanceRecord[] {
    const tags = this.tags.load(rows.map((row) => row.instance_id));
    return rows.map((row) => toRecord(row, tags.get(row.instance_id) ?? []));
  }
}

function toRecord(row: InstanceRow, tags: readonly Tag[]): ManagedInstanceRecord {
  return {
    instanceId: row.instance_id,
    activationId: row.activation_id,
    name: row.name,
    iamRole: row.iam_role,
    publicKey: row.public_key,
    publicKeyType: row.public_key_type,
    fingerprint: row.fingerprint,
    registeredAt: row.registered_at,
    platformType: row.platform_type,
    platformName: row.platform_name,
    platformVersion: row.platform_version,
    agentVersion: row.agent_version,
    ipAddress: row.ip_address,
    computerName: row.computer_name,
    lastPingAt: row.last_ping_at,
    deregisteredAt: row.deregistered_at,
    tags,
  };
}
