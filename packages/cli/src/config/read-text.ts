// Reads optional files (AWS's config and credentials, CA bundles) as UTF-8.

import { readFileSync } from 'node:fs';

/** The file's text, or undefined when it does not exist; other errors (EACCES) are real. */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
