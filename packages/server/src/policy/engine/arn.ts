// ARNs in policies: parsing, and matching a Resource or Arn* condition pattern against an ARN
// component by component, so a wildcard never spans a colon outside the resource part. OpenSSM
// names its resources `arn:openssm:…` and accepts AWS's `arn:aws:…` in policies as the same
// partition (DESIGN.md §4), so policies written for AWS keep their meaning.

import { STAR, matchPattern, splitArnPattern, type Pattern } from './wildcard.js';

export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

/** The partitions that mean "this server" in a policy or a request. */
const LOCAL_PARTITIONS: ReadonlySet<string> = new Set(['openssm', 'aws']);
const CANONICAL_PARTITION = 'openssm';

/** `arn:partition:service:region:account:resource`, or undefined for anything else. */
export function parseArn(text: string): Arn | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition = '', service = '', region = '', account = ''] = parts;
  return { partition, service, region, account, resource: parts.slice(5).join(':') };
}

/** The partition OpenSSM compares: `aws` and `openssm` are one partition. */
export function canonicalPartition(partition: string): string {
  return LOCAL_PARTITIONS.has(partition) ? CANONICAL_PARTITION : partition;
}

/**
 * Whether `arn` matches the ARN pattern: each of the five components after `arn` separately,
 * case-sensitively, with the `aws` partition read as `openssm` on both sides. A pattern or value
 * that is not ARN-shaped matches nothing.
 */
export function matchArn(pattern: Pattern, arn: string): boolean {
  const components = splitArnPattern(pattern);
  const target = parseArn(arn);
  if (components === undefined || target === undefined) return false;
  const [partition, service, region, account, resource] = components as [
    Pattern,
    Pattern,
    Pattern,
    Pattern,
    Pattern,
  ];
  const literalPartition = partition.every((atom) => typeof atom === 'string')
    ? canonicalPartition(partition.join(''))
    : undefined;
  const partitionMatches =
    literalPartition === undefined
      ? matchPattern(partition, target.partition)
      : literalPartition === canonicalPartition(target.partition);
  return (
    partitionMatches &&
    matchPattern(service, target.service) &&
    matchPattern(region, target.region) &&
    matchPattern(account, target.account) &&
    matchPattern(resource, target.resource)
  );
}

/** A Resource element entry: `*` alone matches every resource, anything else is an ARN pattern. */
export function matchResource(pattern: Pattern, resource: string): boolean {
  if (pattern.length === 1 && pattern[0] === STAR) return true;
  return matchArn(pattern, resource);
}
