// Every CloudTrail operation this server answers (X-Amz-Target
// `com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.<Op>`, SigV4 service `cloudtrail`).

import type { AnyOperation } from '../operation.js';
import { lookupEvents } from './lookup-events.js';

export const CLOUDTRAIL_OPERATIONS: readonly AnyOperation[] = [lookupEvents];
