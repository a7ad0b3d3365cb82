// Table and timestamp formatting for `ls` and `sessions`.

import { describe, expect, it } from 'vitest';
import { formatTable, formatTimestamp } from '../src/output/table.js';

describe('formatTable', () => {
  it('aligns columns, fills gaps with -, trims trailing blanks', () => {
    const text = formatTable(
      [
        { header: 'Id', value: (row: { id: string; name?: string }) => row.id },
        { header: 'Name', value: (row) => row.name },
      ],
      [{ id: 'mi-1', name: 'a-long-name' }, { id: 'mi-22' }],
    );
    expect(text).toBe('Id     Name\nmi-1   a-long-name\nmi-22  -\n');
  });

  it('neutralises control characters from the server', () => {
    const text = formatTable([{ header: 'N', value: (row: string) => row }], ['a\u001b[31mb\nc']);
    expect(text).toBe('N\na [31mb c\n');
  });
});

describe('formatTimestamp', () => {
  it('prints UTC to the second', () => {
    expect(formatTimestamp(new Date(Date.UTC(2026, 10, 26, 18, 56, 7, 123)))).toBe(
      '2026-11-26 18:56:07Z',
    );
  });

  it('has nothing to say about missing or invalid dates', () => {
    expect(formatTimestamp(undefined)).toBeUndefined();
    expect(formatTimestamp(new Date(Number.NaN))).toBeUndefined();
  });
});
