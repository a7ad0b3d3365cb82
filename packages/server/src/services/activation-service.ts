// Hybrid activations (ssm-wire §9.1): an administrator creates one and hands its code and id
// to the nodes that may register with it. Only a hash of the code is stored.

import { CodedError } from '@openssm/protocol';
import type { ActivationFilter, ActivationRepository } from '../storage/repositories.js';
import type { ActivationRecord, Page, PageRequest, Tag } from '../storage/records.js';
import { newActivationCode, newActivationId, sha256Hex } from './identifiers.js';

/** AWS's limits (ssm-wire §2.3 CreateActivation). */
export const ACTIVATION_LIMITS = {
  maxRegistrationLimit: 1000,
  defaultLifetimeMs: 24 * 60 * 60 * 1000,
  maxLifetimeMs: 30 * 24 * 60 * 60 * 1000,
} as const;

export interface CreateActivationInput {
  readonly description: string;
  readonly defaultInstanceName: string;
  readonly iamRole: string;
  readonly registrationLimit: number;
  /** Epoch ms; undefined → 24 h from now. */
  readonly expiresAt: number | undefined;
  readonly tags: readonly Tag[];
}

export interface ActivationService {
  create(
    input: CreateActivationInput,
    now: number,
  ): Promise<{ activationId: string; activationCode: string }>;
  list(filter: ActivationFilter, page: PageRequest): Promise<Page<ActivationRecord>>;
  delete(activationId: string): Promise<void>;
}

export function createActivationService(repository: ActivationRepository): ActivationService {
  return {
    async create(input, now) {
      const expiresAt = input.expiresAt ?? now + ACTIVATION_LIMITS.defaultLifetimeMs;
      if (expiresAt <= now) {
        throw new CodedError('InvalidParameters', 'ExpirationDate must be in the future.');
      }
      if (expiresAt > now + ACTIVATION_LIMITS.maxLifetimeMs) {
        throw new CodedError('InvalidParameters', 'ExpirationDate must be at most 30 days ahead.');
      }
      const activationId = newActivationId();
      const activationCode = newActivationCode();
      await repository.insert({
        activationId,
        activationCodeHash: sha256Hex(activationCode),
        description: input.description,
        defaultInstanceName: input.defaultInstanceName,
        iamRole: input.iamRole,
        registrationLimit: input.registrationLimit,
        registrationsCount: 0,
        expiresAt,
        createdAt: now,
        tags: input.tags,
      });
      return { activationId, activationCode };
    },
    list: (filter, page) => repository.list(filter, page),
    async delete(activationId) {
      if (!(await repository.delete(activationId))) {
        throw new CodedError('InvalidActivationId', `Activation ${activationId} does not exist.`);
      }
    },
  };
}
