// Keeps secrets out of the audit trail: request parameters and response elements are copied
// with every secret-bearing member replaced, as CloudTrail does for SendCommand's parameters.
// Keys are matched without regard to case, at any depth.

/** CloudTrail's own marker for values it will not record. */
export const REDACTED = 'HIDDEN_DUE_TO_SECURITY_REASONS';

const SECRET_KEYS: ReadonlySet<string> = new Set(
  [
    'SecretAccessKey',
    'SessionToken',
    'TokenCode',
    'TokenValue',
    'Password',
    'NewPassword',
    'OldPassword',
    'ActivationCode',
    'PrivateKey',
    'Parameters',
    'Credentials',
    'ChannelToken',
    'X-Amz-Security-Token',
  ].map((key) => key.toLowerCase()),
);

/** Larger values are summarised rather than stored (CloudTrail omits oversized ones too). */
export const MAX_RECORDED_JSON_BYTES = 16 * 1024;
const MAX_DEPTH = 16;

export function redact(value: unknown): unknown {
  const copy = redactValue(value, 0);
  if (copy === undefined) return undefined;
  const size = Buffer.byteLength(JSON.stringify(copy));
  return size > MAX_RECORDED_JSON_BYTES
    ? { omitted: `${String(size)} bytes, more than ${String(MAX_RECORDED_JSON_BYTES)}` }
    : copy;
}

function redactValue(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return '…';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      out[key] = SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : redactValue(item, depth + 1);
    }
    return out;
  }
  if (typeof value === 'string' && value.length > 4096) return `${value.slice(0, 4096)}…`;
  return value;
}
