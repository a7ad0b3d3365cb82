// Console TOTP devices (sealed secrets) in SQLite.

import type { MfaDeviceRecord } from '../../iam-records.js';
import type { MfaDeviceRepository } from '../../iam-repositories.js';
import { promised, type SqliteDatabase } from '../database.js';

interface DeviceRow {
  readonly user_id: string;
  readonly sealed_secret: string;
  readonly enabled: number;
  readonly created_at: number;
  readonly last_used_step: number | null;
}

export class SqliteMfaDeviceRepository implements MfaDeviceRepository {
  constructor(private readonly db: SqliteDatabase) {}

  put(device: MfaDeviceRecord): Promise<void> {
    return promised(() => {
      this.db
        .prepare(
          `INSERT INTO iam_mfa_devices (user_id, sealed_secret, enabled, created_at, last_used_step)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret,
             enabled = excluded.enabled, created_at = excluded.created_at,
             last_used_step = excluded.last_used_step`,
        )
        .run(
          device.userId,
          device.sealedSecret,
          device.enabled ? 1 : 0,
          device.createdAt,
          device.lastUsedStep,
        );
    });
  }

  get(userId: string): Promise<MfaDeviceRecord | undefined> {
    return promised(() => {
      const row = this.db.prepare('SELECT * FROM iam_mfa_devices WHERE user_id = ?').get(userId) as
        DeviceRow | undefined;
      return (
        row && {
          userId: row.user_id,
          sealedSecret: row.sealed_secret,
          enabled: row.enabled === 1,
          createdAt: row.created_at,
          lastUsedStep: row.last_used_step,
        }
      );
    });
  }

  setEnabled(userId: string, enabled: boolean): Promise<void> {
    return promised(() => {
      this.db
        .prepare('UPDATE iam_mfa_devices SET enabled = ? WHERE user_id = ?')
        .run(enabled ? 1 : 0, userId);
    });
  }

  claimStep(userId: string, step: number): Promise<boolean> {
    return promised(
      () =>
        this.db
          .prepare(
            `UPDATE iam_mfa_devices SET last_used_step = ?
             WHERE user_id = ? AND (last_used_step IS NULL OR last_used_step < ?)`,
          )
          .run(step, userId, step).changes > 0,
    );
  }

  delete(userId: string): Promise<boolean> {
    return promised(
      () =>
        this.db.prepare('DELETE FROM iam_mfa_devices WHERE user_id = ?').run(userId).changes > 0,
    );
  }
}
