// Console MFA: each IAM user's virtual TOTP device — enrolment (a new secret, pending until a
// first correct code), verification at sign-in (each code once), and removal. Secrets are sealed
// with the data directory's key and never leave the server except once, at enrolment.

import type { SecretBox } from '../services/secret-box.js';
import type { MfaDeviceRepository } from '../storage/iam-repositories.js';
import { createTotpSecret, matchTotp } from './totp.js';

export type MfaStatus = 'none' | 'pending' | 'enabled';

export interface ConsoleMfa {
  status(userId: string): Promise<MfaStatus>;
  /** A new secret, pending until enable(); refused (undefined) while a device is enabled. */
  enrol(userId: string, now: number): Promise<Buffer | undefined>;
  /** Turns a pending device on with a correct code. */
  enable(userId: string, code: string, now: number): Promise<boolean>;
  /** A correct, unused code of the user's enabled device. */
  verify(userId: string, code: string, now: number): Promise<boolean>;
  /** Removes an enabled device, given a correct code. */
  disable(userId: string, code: string, now: number): Promise<boolean>;
}

export function createConsoleMfa(devices: MfaDeviceRepository, box: SecretBox): ConsoleMfa {
  // The sealing binds each secret to its user: a row copied to another user does not open.
  const associated = (userId: string) => `mfa:${userId}`;

  async function check(userId: string, code: string, now: number, enabled: boolean) {
    const device = await devices.get(userId);
    if (device === undefined || device.enabled !== enabled) return false;
    const secret = Buffer.from(box.open(device.sealedSecret, associated(userId)), 'base64');
    const step = matchTotp(secret, code, now);
    return step !== undefined && (await devices.claimStep(userId, step));
  }

  return {
    async status(userId) {
      const device = await devices.get(userId);
      if (device === undefined) return 'none';
      return device.enabled ? 'enabled' : 'pending';
    },
    async enrol(userId, now) {
      if ((await devices.get(userId))?.enabled === true) return undefined;
      const secret = createTotpSecret();
      await devices.put({
        userId,
        sealedSecret: box.seal(secret.toString('base64'), associated(userId)),
        enabled: false,
        createdAt: now,
        lastUsedStep: null,
      });
      return secret;
    },
    async enable(userId, code, now) {
      if (!(await check(userId, code, now, false))) return false;
      await devices.setEnabled(userId, true);
      return true;
    },
    verify: (userId, code, now) => check(userId, code, now, true),
    async disable(userId, code, now) {
      if (!(await check(userId, code, now, true))) return false;
      return devices.delete(userId);
    },
  };
}
