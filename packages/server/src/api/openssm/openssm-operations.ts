// OpenSSM's own operations (X-Amz-Target `OpenSSM_20260101.<Op>`, SigV4 service `openssm`):
// what AWS has no API for — session recordings and the raw audit chain.

import type { AnyOperation } from '../operation.js';
import { exportAuditTrail } from './export-audit-trail.js';
import { getSessionRecording } from './get-session-recording.js';

export const OPENSSM_OPERATIONS: readonly AnyOperation[] = [exportAuditTrail, getSessionRecording];
