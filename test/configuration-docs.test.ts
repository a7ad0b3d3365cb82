// docs/configuration.md is generated from the server's and the agent's option schemas; this fails when they
// drift apart (run `npm run docs:config` to regenerate).

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAgentConfigurationDocs } from '@openssm/agent';
import { renderConfigurationDocs } from '@openssm/server';
import { format, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';

const DOC_PATH = join(import.meta.dirname, '..', 'docs', 'configuration.md');

describe('docs/configuration.md', () => {
  it('matches the server and agent option schemas', async () => {
    const config = (await resolveConfig(DOC_PATH)) ?? {};
    const markdown = `${renderConfigurationDocs()}\n${renderAgentConfigurationDocs()}`;
    const expected = await format(markdown, { ...config, filepath: DOC_PATH });
    if (process.env['UPDATE_DOCS'] === '1') {
      writeFileSync(DOC_PATH, expected);
      return;
    }
    let actual = '';
    try {
      actual = readFileSync(DOC_PATH, 'utf8');
    } catch {
      // Missing: reported by the comparison below.
    }
    expect(actual, 'docs/configuration.md is out of date; run `npm run docs:config`').toBe(
      expected,
    );
  });
});
