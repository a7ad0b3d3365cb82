// The truncated copies of a step's output that travel in replies (ssm-wire §7.4), cut exactly
// where AWS's agent cuts them so the API fields read the same; the full output stays on disk and
// is uploaded apart (docs/decisions/0006-run-command-output.md). Lengths are UTF-16 code units
// (the API counts characters), and a cut never splits a surrogate pair.

import { open } from 'node:fs/promises';

/** `output` (CommandPlugin.Output): stdout and stderr squeezed together. */
export const PLUGIN_OUTPUT_MAX_LENGTH = 2500;
/**
 * `standardOutput` — and `standardError` too: AWS's agent cuts both with the stdout limit
 * (its 8000 for stderr is configured but unused on this path); the API documents 8000.
 */
export const STANDARD_OUTPUT_MAX_LENGTH = 24_000;
export const OUTPUT_TRUNCATED_SUFFIX = '--output truncated--';

const ERROR_TITLE = '\n----------ERROR-------\n';
const TRUNCATED_OUT = '\n---Output truncated---';
const TRUNCATED_ERROR = '\n---Error truncated----';

/**
 * The beginning of `input`: unchanged when shorter than `maxLength` (strictly, as AWS's
 * StringPrefix), else cut so that the suffix fits within `maxLength`.
 */
export function stringPrefix(input: string, maxLength: number, suffix: string): string {
  if (input.length < maxLength) return input;
  if (maxLength > suffix.length) return head(input, maxLength - suffix.length) + suffix;
  return suffix.slice(0, maxLength);
}

/** stdout, then stderr under a title, within `capacity` (AWS's TruncateOutput). */
export function truncateOutput(
  stdout: string,
  stderr: string,
  capacity = PLUGIN_OUTPUT_MAX_LENGTH,
): string {
  const title = stderr.length > 0 ? ERROR_TITLE : '';
  const available = capacity - title.length;
  if (stdout.length + stderr.length < available) return stdout + title + stderr;
  if (stdout.length > available / 2 && stderr.length > available / 2) {
    const each = Math.trunc((available - TRUNCATED_ERROR.length - TRUNCATED_OUT.length) / 2);
    return head(stdout, each) + TRUNCATED_OUT + title + head(stderr, each) + TRUNCATED_ERROR;
  }
  if (stdout.length <= available / 2) {
    const room = available - TRUNCATED_ERROR.length - stdout.length;
    return stdout + title + head(stderr, room) + TRUNCATED_ERROR;
  }
  const room = available - TRUNCATED_OUT.length - stderr.length;
  return head(stdout, room) + TRUNCATED_OUT + title + stderr;
}

/** The first `length` code units, one fewer when that would split a surrogate pair. */
function head(text: string, length: number): string {
  if (length <= 0) return '';
  if (length >= text.length) return text;
  const last = text.charCodeAt(length - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? length - 1 : length);
}

/**
 * The first `maxLength` code units of a UTF-8 file (invalid bytes read as U+FFFD), or all of
 * it, and whether that was all. Enough to truncate exactly: every rule above only looks at the
 * first STANDARD_OUTPUT_MAX_LENGTH + 1 characters. A missing file reads as empty.
 */
export async function readTextPrefix(
  path: string,
  maxLength: number,
): Promise<{ text: string; complete: boolean }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', complete: true };
    throw error;
  }
  try {
    // A UTF-16 code unit takes at most 3 UTF-8 bytes.
    const buffer = Buffer.alloc(maxLength * 3);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const size = (await handle.stat()).size;
    const decoded = new TextDecoder('utf-8', { fatal: false }).decode(
      buffer.subarray(0, bytesRead),
      { stream: bytesRead < size },
    );
    const text = head(decoded, maxLength);
    return { text, complete: bytesRead >= size && text.length === decoded.length };
  } finally {
    await handle.close();
  }
}
