// Every STS operation this server answers, for the query dispatcher.

import type { AnyQueryOperation } from '../iam/query-operation.js';
import { assumeRole } from './assume-role.js';
import { getCallerIdentity } from './get-caller-identity.js';
import { getSessionToken } from './get-session-token.js';

export const STS_OPERATIONS: readonly AnyQueryOperation[] = [
  assumeRole,
  getCallerIdentity,
  getSessionToken,
];
