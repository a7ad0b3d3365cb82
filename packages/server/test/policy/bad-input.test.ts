// Policy documents come from API callers: whatever they send, parsing either succeeds or throws
// MalformedPolicyDocument — never a TypeError that would surface as an InternalServerError — and
// evaluating what parsed never throws, whatever the request context holds. Seeded, so a failure
// replays exactly.

import { createRandom, mutateBytes, type Random } from '@openssm/testkit';
import { CodedError } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  createRequestContext,
  evaluatePolicies,
  parsePolicyDocument,
  type ContextInput,
  type PolicyDocument,
  type PolicyKind,
} from '../../src/policy/engine/index.js';
import { POLICY_VECTORS } from './policy-vectors.js';

const SEED = 0x1a_0004;
const ROUNDS_PER_DOCUMENT = 12;

const CORPUS: readonly { readonly json: unknown; readonly kind: PolicyKind }[] =
  POLICY_VECTORS.flatMap((vector) => [
    ...Object.values(vector.policies).map((document) => ({ document, kind: 'identity' as const })),
    ...Object.values(vector.resourcePolicies ?? {}),
  ]).map(({ document, kind }) => ({
    json: typeof document === 'string' ? (JSON.parse(document) as unknown) : document,
    kind,
  }));

const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1.5e300,
  '',
  '*',
  '${',
  '${aws:username}',
  "${aws:x, 'd'}",
  'arn:aws:ssm:*:*:*',
  'toString',
  '__proto__',
  [],
  [null],
  [[]],
  {},
  { toString: 'x' },
  { StringEquals: {} },
  { AWS: [] },
  '2026-02-30',
  '10.0.0.0/8',
  '::ffff:10.0.0.1',
];

/** Replaces one randomly chosen node of a JSON tree with an odd value, or drops an object key. */
function mutateTree(value: unknown, random: Random): unknown {
  if (random.chance(0.25) || value === null || typeof value !== 'object') {
    return random.pick(ODD_VALUES);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return [random.pick(ODD_VALUES)];
    const copy: unknown[] = [...(value as unknown[])];
    const at = random.int(copy.length);
    copy[at] = mutateTree(copy[at], random);
    return copy;
  }
  const entries: [string, unknown][] = Object.entries(value);
  if (entries.length === 0)
    return { [random.pick(['Effect', 'Sid', 'Bool'])]: random.pick(ODD_VALUES) };
  const at = random.int(entries.length);
  if (random.chance(0.15)) return Object.fromEntries(entries.filter((_, index) => index !== at));
  const [key, child] = entries[at]!;
  return { ...value, [key]: mutateTree(child, random) };
}

function parseOrMalformed(json: string, kind: PolicyKind): PolicyDocument | undefined {
  try {
    return parsePolicyDocument(json, kind);
  } catch (error) {
    if (!(error instanceof CodedError) || error.code !== 'MalformedPolicyDocument') {
      throw new Error(`Not MalformedPolicyDocument for ${json}`, { cause: error });
    }
    return undefined;
  }
}

const CONTEXT_KEYS = [
  'aws:username',
  'aws:SourceIp',
  'aws:CurrentTime',
  'aws:TagKeys',
  'aws:PrincipalArn',
  'ssm:resourceTag/Env',
  'aws:SecureTransport',
  'aws:MultiFactorAuthAge',
];

function randomContext(random: Random): Record<string, ContextInput> {
  const context: Record<string, ContextInput> = {};
  for (const key of CONTEXT_KEYS) {
    if (random.chance(0.5)) continue;
    const value = random.pick(ODD_VALUES);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    context[key] = random.chance(0.3) ? [text, random.pick(['a', '*', ''])] : text;
  }
  return context;
}

describe('bad input', () => {
  it('a mutated document tree parses or is MalformedPolicyDocument; what parses evaluates', () => {
    const random = createRandom(SEED);
    let parsed = 0;
    for (const { json, kind } of CORPUS) {
      for (let round = 0; round < ROUNDS_PER_DOCUMENT; round++) {
        const text = JSON.stringify(mutateTree(json, random));
        const document = parseOrMalformed(text, kind);
        if (document === undefined) continue;
        parsed++;
        const policy = { name: 'Fuzzed', document };
        expect(() =>
          evaluatePolicies({
            action: random.pick(['ssm:StartSession', 'sts:AssumeRole', 'x:y']),
            resource: random.pick([
              '*',
              'arn:openssm:ssm:us-east-1:000000000000:session/a',
              'junk',
            ]),
            principal: random.chance(0.5)
              ? { type: 'AWS', id: random.pick(['junk', 'arn:openssm:iam::000000000000:user/a']) }
              : undefined,
            context: createRequestContext(randomContext(random)),
            policies: kind === 'identity' ? [policy] : [],
            resourcePolicies: kind === 'identity' ? [] : [policy],
          }),
        ).not.toThrow();
      }
    }
    // The mutations must leave a fair share valid, or evaluation is not being exercised.
    expect(parsed).toBeGreaterThan(CORPUS.length / 2);
  });

  it('mutated document text parses or is MalformedPolicyDocument', () => {
    const random = createRandom(SEED + 1);
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    for (const { json, kind } of CORPUS) {
      const bytes = encoder.encode(JSON.stringify(json));
      for (let round = 0; round < ROUNDS_PER_DOCUMENT; round++) {
        parseOrMalformed(decoder.decode(mutateBytes(bytes, random)), kind);
      }
    }
  });
});
