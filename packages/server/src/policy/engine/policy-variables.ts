// Policy variables in Resource entries and condition values (policy Version 2012-10-17 only):
// `${key}` takes the value of a context key, `${key, 'default'}` falls back to a literal (a
// quote inside it is written ''), and `${*}`, `${?}`, `${$}` stand for those characters taken
// literally. A variable with no value and no default resolves to nothing, and whatever contains
// it then matches nothing. Substituted values are always literal: a tag value of `*` never
// widens a pattern.

import type { RequestContext } from './context.js';
import { literalAtoms, wildcardAtoms, type Atom, type Pattern } from './wildcard.js';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'variable'; readonly key: string; readonly fallback: string | undefined }
  | { readonly kind: 'literal'; readonly text: string };

/** Policy text split into plain text, variables and escapes. */
export type Template = readonly TemplatePart[];

/** The template with its variables replaced. */
export interface Resolved {
  /** As text, every character literal: for the equality operators. */
  readonly text: string;
  /** As a pattern: `*` and `?` of the policy text are wildcards, substituted text is literal. */
  readonly pattern: Pattern;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

const VARIABLE = /^\s*([^\s,'{}$]+)\s*(?:,\s*'((?:[^']|'')*)'\s*)?$/;
const ESCAPES: ReadonlySet<string> = new Set(['*', '?', '$']);

/**
 * Splits `text` into a template. With `substitute` false (Version 2008-10-17) the whole text is
 * plain, `${…}` included. Throws TemplateError for `${` without its `}` or a malformed variable.
 */
export function parseTemplate(text: string, substitute: boolean): Template {
  if (!substitute || !text.includes('${')) return [{ kind: 'text', text }];
  const parts: TemplatePart[] = [];
  let plainFrom = 0;
  let at = text.indexOf('${');
  while (at >= 0) {
    const end = closingBrace(text, at + 2);
    if (end < 0) throw new TemplateError(`unterminated policy variable at "${text.slice(at)}"`);
    if (at > plainFrom) parts.push({ kind: 'text', text: text.slice(plainFrom, at) });
    parts.push(parseVariable(text.slice(at + 2, end)));
    plainFrom = end + 1;
    at = text.indexOf('${', plainFrom);
  }
  if (plainFrom < text.length) parts.push({ kind: 'text', text: text.slice(plainFrom) });
  return parts;
}

/** Index of the `}` closing a variable body that starts at `from`; quotes may hide braces. */
function closingBrace(text: string, from: number): number {
  let quoted = false;
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === "'") quoted = !quoted;
    else if (char === '}' && !quoted) return i;
  }
  return -1;
}

function parseVariable(body: string): TemplatePart {
  const trimmed = body.trim();
  if (ESCAPES.has(trimmed)) return { kind: 'literal', text: trimmed };
  const match = VARIABLE.exec(body);
  if (match === null) throw new TemplateError(`invalid policy variable "\${${body}}"`);
  const [, key = '', fallback] = match;
  return { kind: 'variable', key, fallback: fallback?.replaceAll("''", "'") };
}

export function hasVariables(template: Template): boolean {
  return template.some((part) => part.kind === 'variable');
}

/** The context keys a template reads. */
export function variableKeys(template: Template): string[] {
  return template.flatMap((part) => (part.kind === 'variable' ? [part.key] : []));
}

/**
 * Replaces the variables with their values from `context`. A key that is absent or multivalued
 * takes its default; without one the template resolves to undefined, and `onMissing` hears the
 * key so an explanation can name it.
 */
export function resolveTemplate(
  template: Template,
  context: RequestContext,
  onMissing: (key: string) => void = () => undefined,
): Resolved | undefined {
  let text = '';
  const pattern: Atom[] = [];
  let complete = true;
  for (const part of template) {
    switch (part.kind) {
      case 'text':
        text += part.text;
        pattern.push(...wildcardAtoms(part.text));
        break;
      case 'literal':
        text += part.text;
        pattern.push(...literalAtoms(part.text));
        break;
      case 'variable': {
        const value = context.get(part.key);
        // Multivalued keys cannot be variables (IAM): they take the default like absent ones.
        const single = typeof value === 'string' ? value : part.fallback;
        if (single === undefined) {
          // Keep going, so every missing key is reported, not just the first.
          onMissing(part.key);
          complete = false;
          break;
        }
        text += single;
        pattern.push(...literalAtoms(single));
        break;
      }
    }
  }
  return complete ? { text, pattern } : undefined;
}
