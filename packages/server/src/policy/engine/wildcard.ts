// IAM wildcard patterns: `*` matches any run of characters (empty included), `?` exactly one.
// A pattern is a list of atoms so that a character which came from a policy variable or an
// escape such as `${*}` stays literal even when it is `*` or `?`.

export const STAR = 0;
export const ONE = 1;

/** One character to match literally (a whole code point), or a wildcard. */
export type Atom = string | typeof STAR | typeof ONE;
export type Pattern = readonly Atom[];

/** Atoms of policy text in which `*` and `?` are wildcards. */
export function wildcardAtoms(text: string): Atom[] {
  return Array.from(text, (char) => (char === '*' ? STAR : char === '?' ? ONE : char));
}

/** Atoms of text that is matched literally, wildcard characters included. */
export function literalAtoms(text: string): Atom[] {
  return Array.from(text);
}

/** The pattern as text, wildcards written as `*` and `?` (for messages and explanations). */
export function patternText(pattern: Pattern): string {
  return pattern.map((atom) => (atom === STAR ? '*' : atom === ONE ? '?' : atom)).join('');
}

/**
 * Whether the whole of `input` matches `pattern`. Greedy with one backtrack point (the last
 * star), which is exact for `*`/`?` patterns and runs in O(pattern × input) at worst.
 * With `ignoreCase`, literal atoms and input are compared lower-cased.
 */
export function matchPattern(pattern: Pattern, input: string, ignoreCase = false): boolean {
  const chars = Array.from(ignoreCase ? input.toLowerCase() : input);
  const atoms = ignoreCase
    ? pattern.map((atom) => (typeof atom === 'string' ? atom.toLowerCase() : atom))
    : pattern;
  let p = 0;
  let s = 0;
  let starAt = -1;
  let starInput = 0;
  while (s < chars.length) {
    const atom = atoms[p];
    if (atom === ONE || (typeof atom === 'string' && atom === chars[s])) {
      p++;
      s++;
    } else if (atom === STAR) {
      starAt = p++;
      starInput = s;
    } else if (starAt >= 0) {
      // Let the last star swallow one more character and retry from just after it.
      p = starAt + 1;
      s = ++starInput;
    } else {
      return false;
    }
  }
  while (atoms[p] === STAR) p++;
  return p === atoms.length;
}

/**
 * Splits an ARN pattern `arn:partition:service:region:account:resource` into the five components
 * after `arn` (the resource keeps any further colons). Undefined when it is not that shape.
 */
export function splitArnPattern(pattern: Pattern): Pattern[] | undefined {
  const components: Atom[][] = [[]];
  for (const atom of pattern) {
    if (atom === ':' && components.length < 6) components.push([]);
    else components[components.length - 1]!.push(atom);
  }
  if (components.length < 6 || !sameAtoms(components[0]!, ['a', 'r', 'n'])) return undefined;
  return components.slice(1);
}

function sameAtoms(a: Pattern, b: Pattern): boolean {
  return a.length === b.length && a.every((atom, index) => atom === b[index]);
}
