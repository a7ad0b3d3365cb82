// The audit event codes (packages/server/src/audit/audit-events.ts) and docs/audit-events.md must
// not drift apart: the table between the markers is regenerated and compared.
// `npm run docs:audit` rewrites it instead.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAuditEventTable } from '@openssm/server';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';

const DOC_PATH = join(import.meta.dirname, '..', 'docs', 'audit-events.md');
const BEGIN = '<!-- BEGIN GENERATED: audit event codes -->';
const END = '<!-- END GENERATED: audit event codes -->';

describe('docs/audit-events.md', () => {
  it('lists every audit event code, as the registry defines it', async () => {
    const current = readFileSync(DOC_PATH, 'utf8');
    const start = current.indexOf(BEGIN);
    const end = current.indexOf(END);
    expect(start, 'the page keeps its generated-table markers').toBeGreaterThanOrEqual(0);
    const rebuilt = `${current.slice(0, start + BEGIN.length)}\n\n${renderAuditEventTable()}\n\n${current.slice(end)}`;
    const formatted = await format(rebuilt, {
      ...(await resolveConfig(DOC_PATH)),
      filepath: DOC_PATH,
    });
    if (process.env['UPDATE_DOCS'] === '1') {
      writeFileSync(DOC_PATH, formatted);
      return;
    }
    expect(current).toBe(formatted);
  });
});
