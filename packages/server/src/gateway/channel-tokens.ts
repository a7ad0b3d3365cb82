// Short-lived, single-use tokens that let a socket open a channel: handed out by StartSession,
// ResumeSession and the agent's CreateControlChannel/CreateDataChannel calls, presented in the
// first text frame. Only their hash is stored; each is bound to one channel and one role.

import { randomBytes } from 'node:crypto';
import { CodedError } from '@openssm/protocol';
import type { ChannelTokenRepository } from '../storage/repositories.js';
import type { ChannelTokenKind } from '../storage/records.js';
import { sha256Hex } from '../services/identifiers.js';

/** Clients and agents open the channel right after receiving the token. */
export const CHANNEL_TOKEN_LIFETIME_MS = 60_000;

export interface ChannelTokens {
  issue(kind: ChannelTokenKind, channelId: string, now: number): Promise<string>;
  /** Throws ChannelTokenInvalid unless the token is valid for this channel and role. */
  consume(token: string, kind: ChannelTokenKind, channelId: string, now: number): Promise<void>;
}

export function createChannelTokens(repository: ChannelTokenRepository): ChannelTokens {
  return {
    async issue(kind, channelId, now) {
      const token = randomBytes(32).toString('base64url');
      await repository.insert({
        tokenHash: sha256Hex(token),
        kind,
        channelId,
        expiresAt: now + CHANNEL_TOKEN_LIFETIME_MS,
        usedAt: null,
      });
      return token;
    },
    async consume(token, kind, channelId, now) {
      const used =
        token.length <= 512
          ? await repository.consume(sha256Hex(token), kind, channelId, now)
          : undefined;
      if (used === undefined) {
        // Which check failed stays with the server: the caller learns only that it was refused.
        throw new CodedError(
          'ChannelTokenInvalid',
          'The channel token is not valid for this channel.',
        );
      }
    },
  };
}
