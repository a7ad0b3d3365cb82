// Validates policy documents when they are written, with the size limit IAM applies to each
// place a document can live, so nothing malformed is ever stored (MalformedPolicyDocument).

import { POLICY_SIZE_LIMITS, parsePolicyDocument } from '../../policy/engine/index.js';
import type { PolicyOwnerKind } from '../../storage/iam-records.js';

export type DocumentPlace = 'managed' | 'trust' | PolicyOwnerKind;

const LIMITS: Readonly<Record<DocumentPlace, number>> = {
  managed: POLICY_SIZE_LIMITS.managed,
  trust: POLICY_SIZE_LIMITS.trust,
  user: POLICY_SIZE_LIMITS.inlineUser,
  group: POLICY_SIZE_LIMITS.inlineGroup,
  role: POLICY_SIZE_LIMITS.inlineRole,
};

export function assertValidPolicy(document: string, place: DocumentPlace): void {
  parsePolicyDocument(document, place === 'trust' ? 'trust' : 'identity', {
    maxLength: LIMITS[place],
  });
}
