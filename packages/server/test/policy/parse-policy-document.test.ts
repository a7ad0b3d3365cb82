// parsePolicyDocument: every document IAM would refuse is refused with MalformedPolicyDocument and
// a reason naming the element; documents IAM accepts parse, with IAM's defaults.

import { CodedError } from '@openssm/protocol';
import { describe, expect, it } from 'vitest';
import {
  parsePolicyDocument,
  POLICY_SIZE_LIMITS,
  type PolicyKind,
} from '../../src/policy/engine/index.js';

const NODE = 'arn:openssm:ssm:us-east-1:000000000000:managed-instance/mi-0123456789abcdef0';
const ALLOW = { Effect: 'Allow', Action: 'ssm:StartSession', Resource: '*' };
const TRUST = { Effect: 'Allow', Principal: { AWS: '000000000000' }, Action: 'sts:AssumeRole' };

const policy = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const withCondition = (condition: unknown): string => policy({ ...ALLOW, Condition: condition });
const withPrincipal = (principal: unknown): string => policy({ ...TRUST, Principal: principal });

function reasonFor(json: string, kind: PolicyKind = 'identity', maxLength?: number): string {
  try {
    parsePolicyDocument(json, kind, maxLength === undefined ? {} : { maxLength });
  } catch (error) {
    expect(error).toBeInstanceOf(CodedError);
    const coded = error as CodedError;
    expect(coded.code).toBe('MalformedPolicyDocument');
    expect(coded.spec.httpStatus).toBe(400);
    expect(coded.spec.awsType).toBe('MalformedPolicyDocument');
    return coded.message;
  }
  throw new Error(`parsed, but should be malformed: ${json}`);
}

// [what is wrong, document, kind, the reason (exact)]
const MALFORMED: readonly (readonly [string, string, PolicyKind, string])[] = [
  // JSON itself.
  [
    'truncated JSON',
    '{"Version": ',
    'identity',
    'Policy is not valid JSON: unexpected end of input at line 1, column 13',
  ],
  [
    'a duplicate key',
    '{"Version":"2012-10-17","Statement":{"Effect":"Deny",\n"Effect":"Allow","Action":"*","Resource":"*"}}',
    'identity',
    'Policy is not valid JSON: duplicate key "Effect" at line 2, column 1',
  ],
  [
    'text after the document',
    '{} x',
    'identity',
    'Policy is not valid JSON: unexpected text after the document at line 1, column 4',
  ],
  [
    'a trailing comma',
    '{"Statement": [],}',
    'identity',
    'Policy is not valid JSON: expected a string key at line 1, column 18',
  ],
  [
    'a raw newline in a string',
    '{"Id": "a\nb"}',
    'identity',
    'Policy is not valid JSON: control character in string at line 1, column 10',
  ],
  [
    'a bad escape',
    '{"Id": "\\x"}',
    'identity',
    'Policy is not valid JSON: invalid escape in string at line 1, column 9',
  ],
  [
    'single quotes',
    "{'Version': 1}",
    'identity',
    'Policy is not valid JSON: expected a string key at line 1, column 2',
  ],
  [
    'nesting deeper than any policy',
    `{"Id": ${'['.repeat(40)}${']'.repeat(40)}}`,
    'identity',
    'Policy is not valid JSON: nesting deeper than 32 levels at line 1, column 40',
  ],
  // Top level.
  ['not an object', '[]', 'identity', 'Policy must be a JSON object'],
  [
    'an unknown top-level element',
    JSON.stringify({ Version: '2012-10-17', Statement: [ALLOW], Comment: 'x' }),
    'identity',
    'unknown Policy element "Comment" (allowed: Version, Id, Statement; names are case-sensitive)',
  ],
  [
    'a lower-case element name',
    JSON.stringify({ Version: '2012-10-17', statement: [ALLOW] }),
    'identity',
    'unknown Policy element "statement" (allowed: Version, Id, Statement; names are case-sensitive)',
  ],
  [
    '__proto__ as an element',
    '{"__proto__": {"Effect": "Allow"}, "Statement": []}',
    'identity',
    'unknown Policy element "__proto__" (allowed: Version, Id, Statement; names are case-sensitive)',
  ],
  [
    'an unknown Version',
    JSON.stringify({ Version: '2012-10-18', Statement: [ALLOW] }),
    'identity',
    'Version must be "2012-10-17" or "2008-10-17"',
  ],
  [
    'a numeric Version',
    JSON.stringify({ Version: 2012, Statement: [ALLOW] }),
    'identity',
    'Version must be "2012-10-17" or "2008-10-17"',
  ],
  [
    'a numeric Id',
    JSON.stringify({ Id: 7, Statement: [ALLOW] }),
    'identity',
    'Id must be a string',
  ],
  ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'identity', 'Statement is missing'],
  ['an empty Statement', policy(), 'identity', 'Statement must not be an empty array'],
  [
    'a string Statement',
    JSON.stringify({ Statement: 'x' }),
    'identity',
    'Statement: must be a JSON object',
  ],
  ['a non-object statement', policy(ALLOW, []), 'identity', 'Statement[1]: must be a JSON object'],
  // Statement elements.
  [
    'an unknown statement element',
    policy({ ...ALLOW, Actions: 'ssm:*' }),
    'identity',
    'Statement[0]: unknown Statement element "Actions" (allowed: Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition; names are case-sensitive)',
  ],
  [
    'a Sid with a space',
    policy({ ...ALLOW, Sid: 'my sid' }),
    'identity',
    'Statement[0]: Sid must be a string of letters and digits',
  ],
  [
    'a numeric Sid',
    policy({ ...ALLOW, Sid: 1 }),
    'identity',
    'Statement[0]: Sid must be a string of letters and digits',
  ],
  [
    'a repeated Sid',
    policy({ ...ALLOW, Sid: 'A' }, { ...ALLOW, Sid: 'A' }),
    'identity',
    'Statement[1]: Sid "A" is used by another statement',
  ],
  [
    'no Effect',
    policy({ Action: '*', Resource: '*' }),
    'identity',
    'Statement[0]: Effect is missing',
  ],
  [
    'a lower-case Effect',
    policy({ ...ALLOW, Effect: 'allow' }),
    'identity',
    'Statement[0]: Effect must be "Allow" or "Deny"',
  ],
  [
    'no Action',
    policy({ Effect: 'Allow', Resource: '*' }),
    'identity',
    'Statement[0]: Action or NotAction is missing',
  ],
  [
    'Action and NotAction',
    policy({ ...ALLOW, NotAction: 'ssm:Get*' }),
    'identity',
    'Statement[0]: Action and NotAction cannot both be present',
  ],
  [
    'a numeric Action',
    policy(ALLOW, { ...ALLOW, Action: 5 }),
    'identity',
    'Statement[1]: Action must be a string or an array of strings',
  ],
  [
    'an Action list with a number',
    policy({ ...ALLOW, Action: ['ssm:StartSession', 5] }),
    'identity',
    'Statement[0]: Action must be a string or an array of strings',
  ],
  [
    'an empty Action list',
    policy({ ...ALLOW, Action: [] }),
    'identity',
    'Statement[0]: Action must not be an empty array',
  ],
  [
    'an Action without a service',
    policy({ ...ALLOW, Action: 'StartSession' }),
    'identity',
    'Statement[0]: Action "StartSession" must be "*" or "service:action"',
  ],
  [
    'an Action without a name',
    policy({ ...ALLOW, Action: 'ssm:' }),
    'identity',
    'Statement[0]: Action "ssm:" must be "*" or "service:action"',
  ],
  [
    'an Action with a space',
    policy({ ...ALLOW, Action: 'ssm:Start Session' }),
    'identity',
    'Statement[0]: Action "ssm:Start Session" must be "*" or "service:action"',
  ],
  [
    'a wildcard service',
    policy({ ...ALLOW, Action: 'ssm*:StartSession' }),
    'identity',
    'Statement[0]: Action "ssm*:StartSession" must be "*" or "service:action"',
  ],
  [
    'a bad NotAction',
    policy({ Effect: 'Allow', NotAction: ['ssm:Get*', 'iam'], Resource: '*' }),
    'identity',
    'Statement[0]: NotAction "iam" must be "*" or "service:action"',
  ],
  [
    'no Resource in an identity policy',
    policy({ Effect: 'Allow', Action: '*' }),
    'identity',
    'Statement[0]: Resource or NotResource is missing',
  ],
  [
    'no Resource in a resource policy',
    policy({ ...TRUST }),
    'resource',
    'Statement[0]: Resource or NotResource is missing',
  ],
  [
    'Resource and NotResource',
    policy({ ...ALLOW, NotResource: NODE }),
    'identity',
    'Statement[0]: Resource and NotResource cannot both be present',
  ],
  [
    'a Resource that is not an ARN',
    policy({ ...ALLOW, Resource: 'mi-0123456789abcdef0' }),
    'identity',
    'Statement[0]: Resource "mi-0123456789abcdef0" must be "*" or an ARN (arn:partition:service:region:account:resource)',
  ],
  [
    'a Resource ARN with too few parts',
    policy({ ...ALLOW, Resource: 'arn:aws:ssm:us-east-1' }),
    'identity',
    'Statement[0]: Resource "arn:aws:ssm:us-east-1" must be "*" or an ARN (arn:partition:service:region:account:resource)',
  ],
  [
    'colons only inside a variable',
    policy({ ...ALLOW, Resource: 'arn:${aws:a}${aws:b}${aws:c}${aws:d}' }),
    'identity',
    'Statement[0]: Resource "arn:${aws:a}${aws:b}${aws:c}${aws:d}" must be "*" or an ARN (arn:partition:service:region:account:resource)',
  ],
  [
    'an object Resource',
    policy({ ...ALLOW, Resource: { arn: NODE } }),
    'identity',
    'Statement[0]: Resource must be a string or an array of strings',
  ],
  [
    'an unterminated variable',
    policy({ ...ALLOW, Resource: 'arn:aws:ssm:*:*:session/${aws:username-*' }),
    'identity',
    'Statement[0]: Resource: unterminated policy variable at "${aws:username-*"',
  ],
  [
    'a default without quotes',
    policy({ ...ALLOW, Resource: 'arn:aws:ssm:*:*:session/${aws:username, guest}' }),
    'identity',
    'Statement[0]: Resource: invalid policy variable "${aws:username, guest}"',
  ],
  [
    'an empty variable',
    policy({ ...ALLOW, Resource: 'arn:aws:ssm:*:*:session/${}' }),
    'identity',
    'Statement[0]: Resource: invalid policy variable "${}"',
  ],
  // Principal and NotPrincipal.
  [
    'Principal in an identity policy',
    policy({ ...ALLOW, Principal: '*' }),
    'identity',
    'Statement[0]: Principal is not allowed in an identity-based policy',
  ],
  [
    'NotPrincipal in an identity policy',
    policy({ ...ALLOW, Effect: 'Deny', NotPrincipal: { AWS: '000000000000' } }),
    'identity',
    'Statement[0]: NotPrincipal is not allowed in an identity-based policy',
  ],
  [
    'no Principal in a trust policy',
    policy({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
    'trust',
    'Statement[0]: Principal is missing',
  ],
  [
    'no Principal in a resource policy',
    policy(ALLOW),
    'resource',
    'Statement[0]: Principal is missing',
  ],
  [
    'a Resource in a trust policy',
    policy({ ...TRUST, Resource: '*' }),
    'trust',
    'Statement[0]: Resource is not allowed in a role trust policy',
  ],
  [
    'NotPrincipal in a trust policy',
    policy({ Effect: 'Deny', NotPrincipal: { AWS: '000000000000' }, Action: 'sts:AssumeRole' }),
    'trust',
    'Statement[0]: NotPrincipal is not allowed in a role trust policy',
  ],
  [
    'NotPrincipal with Allow',
    policy({ ...ALLOW, NotPrincipal: { AWS: '000000000000' } }),
    'resource',
    'Statement[0]: NotPrincipal can only be used with "Effect": "Deny"',
  ],
  [
    'Principal and NotPrincipal',
    policy({ ...TRUST, Effect: 'Deny', NotPrincipal: { AWS: '000000000000' } }),
    'trust',
    'Statement[0]: Principal and NotPrincipal cannot both be present',
  ],
  [
    'a bare name as Principal',
    withPrincipal('alice'),
    'trust',
    'Statement[0]: Principal must be "*" or an object such as {"AWS": "<arn>"}',
  ],
  [
    'an unknown principal type',
    withPrincipal({ User: 'alice' }),
    'trust',
    'Statement[0]: Principal type "User" is not one of "AWS", "Service", "Federated", "CanonicalUser"',
  ],
  [
    'an empty Principal object',
    withPrincipal({}),
    'trust',
    'Statement[0]: Principal must name at least one principal',
  ],
  [
    'an empty principal list',
    withPrincipal({ AWS: [] }),
    'trust',
    'Statement[0]: Principal.AWS must not be an empty array',
  ],
  [
    'a wildcard in a principal ARN',
    withPrincipal({ AWS: 'arn:aws:iam::000000000000:user/*' }),
    'trust',
    'Statement[0]: Principal: AWS principal "arn:aws:iam::000000000000:user/*" must not contain wildcards',
  ],
  [
    'a user name as AWS principal',
    withPrincipal({ AWS: 'alice' }),
    'trust',
    'Statement[0]: Principal: AWS principal "alice" must be "*", an account id or an IAM or STS ARN',
  ],
  [
    'a non-IAM ARN as AWS principal',
    withPrincipal({ AWS: 'arn:aws:s3:::bucket/key' }),
    'trust',
    'Statement[0]: Principal: AWS principal "arn:aws:s3:::bucket/key" must be "*", an account id or an IAM or STS ARN',
  ],
  [
    'a principal ARN without an account id',
    withPrincipal({ AWS: 'arn:aws:iam::abc:user/alice' }),
    'trust',
    'Statement[0]: Principal: AWS principal "arn:aws:iam::abc:user/alice" has no 12-digit account id',
  ],
  [
    'an empty service principal',
    withPrincipal({ Service: '' }),
    'trust',
    'Statement[0]: Principal: Service principal must not be empty',
  ],
  // Condition.
  [
    'a string Condition',
    withCondition('aws:username=alice'),
    'identity',
    'Statement[0]: Condition must be an object of operators, e.g. {"StringEquals": {…}}',
  ],
  [
    'an unknown operator',
    withCondition({ StringEqual: { 'aws:username': 'alice' } }),
    'identity',
    'Statement[0]: Condition.StringEqual: unknown condition operator "StringEqual" (operator names are case-sensitive)',
  ],
  [
    'a lower-case operator',
    withCondition({ stringequals: { 'aws:username': 'alice' } }),
    'identity',
    'Statement[0]: Condition.stringequals: unknown condition operator "stringequals" (operator names are case-sensitive)',
  ],
  [
    'an unknown set qualifier',
    withCondition({ 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'a' } }),
    'identity',
    'Statement[0]: Condition.ForSomeValues:StringEquals: unknown condition operator "ForSomeValues:StringEquals" (operator names are case-sensitive)',
  ],
  [
    'an Object.prototype name as operator',
    withCondition({ toString: { 'aws:username': 'alice' } }),
    'identity',
    'Statement[0]: Condition.toString: unknown condition operator "toString" (operator names are case-sensitive)',
  ],
  [
    'constructor with IfExists as operator',
    withCondition({ constructorIfExists: { 'aws:username': 'alice' } }),
    'identity',
    'Statement[0]: Condition.constructorIfExists: unknown condition operator "constructorIfExists" (operator names are case-sensitive)',
  ],
  [
    'NullIfExists',
    withCondition({ NullIfExists: { 'aws:username': 'true' } }),
    'identity',
    'Statement[0]: Condition.NullIfExists: Null cannot take the IfExists suffix (it tests presence itself)',
  ],
  [
    'a qualified Null',
    withCondition({ 'ForAnyValue:Null': { 'aws:TagKeys': 'true' } }),
    'identity',
    'Statement[0]: Condition.ForAnyValue:Null: Null cannot take the ForAnyValue: qualifier',
  ],
  [
    'an operator without keys',
    withCondition({ StringEquals: 'alice' }),
    'identity',
    'Statement[0]: Condition.StringEquals must be an object of context keys to values',
  ],
  [
    'a key without a prefix',
    withCondition({ StringEquals: { username: 'alice' } }),
    'identity',
    'Statement[0]: Condition.StringEquals: condition key "username" must be "prefix:name"',
  ],
  [
    'an empty value list',
    withCondition({ StringEquals: { 'aws:username': [] } }),
    'identity',
    'Statement[0]: Condition.StringEquals.aws:username must not be an empty array',
  ],
  [
    'a null value',
    withCondition({ StringEquals: { 'aws:username': null } }),
    'identity',
    'Statement[0]: Condition.StringEquals.aws:username values must be strings, numbers or booleans',
  ],
  [
    'an object value',
    withCondition({ StringEquals: { 'aws:username': [{ name: 'alice' }] } }),
    'identity',
    'Statement[0]: Condition.StringEquals.aws:username values must be strings, numbers or booleans',
  ],
  [
    'a word for a number',
    withCondition({ NumericLessThan: { 'aws:MultiFactorAuthAge': 'ten' } }),
    'identity',
    'Statement[0]: Condition.NumericLessThan.aws:MultiFactorAuthAge: "ten" is not a number',
  ],
  [
    'a variable for a number (Numeric takes none)',
    withCondition({ NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '${aws:EpochTime}' } }),
    'identity',
    'Statement[0]: Condition.NumericLessThanIfExists.aws:MultiFactorAuthAge: "${aws:EpochTime}" is not a number',
  ],
  [
    'a word for a date',
    withCondition({ DateLessThan: { 'aws:CurrentTime': 'tomorrow' } }),
    'identity',
    'Statement[0]: Condition.DateLessThan.aws:CurrentTime: "tomorrow" is not an ISO 8601 date or epoch seconds',
  ],
  [
    'a day that does not exist',
    withCondition({ DateGreaterThan: { 'aws:CurrentTime': '2026-02-29T00:00:00Z' } }),
    'identity',
    'Statement[0]: Condition.DateGreaterThan.aws:CurrentTime: "2026-02-29T00:00:00Z" is not an ISO 8601 date or epoch seconds',
  ],
  [
    'yes for a Bool',
    withCondition({ Bool: { 'aws:SecureTransport': 'yes' } }),
    'identity',
    'Statement[0]: Condition.Bool.aws:SecureTransport: "yes" is not true or false',
  ],
  [
    'maybe for Null',
    withCondition({ Null: { 'aws:TokenIssueTime': 'maybe' } }),
    'identity',
    'Statement[0]: Condition.Null.aws:TokenIssueTime: "maybe" is not true or false',
  ],
  [
    'a /33',
    withCondition({ IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } }),
    'identity',
    'Statement[0]: Condition.IpAddress.aws:SourceIp: "10.0.0.0/33" is not an IP address or CIDR block',
  ],
  [
    'an octet over 255',
    withCondition({ NotIpAddress: { 'aws:SourceIp': '10.0.0.256' } }),
    'identity',
    'Statement[0]: Condition.NotIpAddress.aws:SourceIp: "10.0.0.256" is not an IP address or CIDR block',
  ],
  [
    'a /129',
    withCondition({ IpAddress: { 'aws:SourceIp': '2001:db8::/129' } }),
    'identity',
    'Statement[0]: Condition.IpAddress.aws:SourceIp: "2001:db8::/129" is not an IP address or CIDR block',
  ],
  [
    'a name for an ARN',
    withCondition({ ArnLike: { 'aws:PrincipalArn': 'alice' } }),
    'identity',
    'Statement[0]: Condition.ArnLike.aws:PrincipalArn: "alice" is not an ARN (arn:partition:service:region:account:resource)',
  ],
  [
    'non-base64 binary',
    withCondition({ BinaryEquals: { 'ssm:SampleBinary': '!!' } }),
    'identity',
    'Statement[0]: Condition.BinaryEquals.ssm:SampleBinary: "!!" is not base64',
  ],
  [
    'a malformed variable in a condition value',
    withCondition({ StringEquals: { 'aws:username': '${aws:username' } }),
    'identity',
    'Statement[0]: Condition.StringEquals.aws:username: unterminated policy variable at "${aws:username"',
  ],
];

describe('parsePolicyDocument refuses', () => {
  it.each(MALFORMED)('%s', (_what, json, kind, reason) => {
    expect(reasonFor(json, kind)).toBe(reason);
  });

  it('a document over the size limit, counting non-whitespace characters', () => {
    const padding = 'x'.repeat(POLICY_SIZE_LIMITS.managed);
    expect(reasonFor(JSON.stringify({ Id: padding, Statement: [ALLOW] }))).toMatch(
      /^Policy is \d+ characters long \(whitespace not counted\), over the limit of 6144$/,
    );
  });

  it('a document over a smaller limit the caller gives (inline user policies)', () => {
    const json = JSON.stringify({ Id: 'x'.repeat(2100), Statement: [ALLOW] });
    expect(reasonFor(json, 'identity', POLICY_SIZE_LIMITS.inlineUser)).toMatch(
      /over the limit of 2048$/,
    );
    expect(() => parsePolicyDocument(json, 'identity')).not.toThrow();
  });
});

describe('parsePolicyDocument accepts', () => {
  it('whitespace beyond the limit, as IAM does not count it', () => {
    const json = JSON.stringify({ Version: '2012-10-17', Statement: [ALLOW] }).replaceAll(
      ',',
      `,\n${' '.repeat(3000)}\t`,
    );
    expect(json.length).toBeGreaterThan(POLICY_SIZE_LIMITS.managed);
    expect(parsePolicyDocument(json, 'identity').statements).toHaveLength(1);
  });

  it('a document without Version, read as 2008-10-17', () => {
    const document = parsePolicyDocument(JSON.stringify({ Statement: ALLOW }), 'identity');
    expect(document.version).toBe('2008-10-17');
    expect(document.statements[0]!.index).toBe(0);
  });

  it('`${` as plain text in a 2008-10-17 document', () => {
    const json = JSON.stringify({
      Version: '2008-10-17',
      Statement: { ...ALLOW, Resource: 'arn:aws:ssm:*:*:session/${aws:username-*' },
    });
    expect(() => parsePolicyDocument(json, 'identity')).not.toThrow();
  });

  it('numbers and booleans as condition values', () => {
    const json = withCondition({
      NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 },
      Bool: { 'aws:SecureTransport': true },
      Null: { 'aws:TokenIssueTime': [false] },
    });
    const [statement] = parsePolicyDocument(json, 'identity').statements;
    expect(statement!.conditions.map(({ operator, key }) => [operator.name, key])).toEqual([
      ['NumericLessThan', 'aws:MultiFactorAuthAge'],
      ['Bool', 'aws:SecureTransport'],
      ['Null', 'aws:TokenIssueTime'],
    ]);
  });

  it('empty Sids more than once, an Id, and escapes in strings', () => {
    const json =
      '{"Version":"2012-10-17","Id":"caf\\u00e9","Statement":[' +
      '{"Sid":"","Effect":"Allow","Action":"ssm:StartSession","Resource":"*"},' +
      '{"Sid":"","Effect":"Deny","Action":"ssm:SendCommand","Resource":"*"}]}';
    const document = parsePolicyDocument(json, 'identity');
    expect(document.id).toBe('café');
    expect(document.statements.map((statement) => statement.effect)).toEqual(['Allow', 'Deny']);
  });

  it('every operator with and without IfExists, and both set qualifiers', () => {
    const condition: Record<string, Record<string, string>> = {};
    const values: Record<string, string> = {
      String: 'x',
      Numeric: '1',
      Date: '2026-01-01T00:00:00Z',
      Bool: 'true',
      Binary: 'QUJD',
      Ip: '10.0.0.0/8',
      Arn: 'arn:aws:iam::000000000000:user/alice',
    };
    const operators: [string, string][] = [
      ...[
        'StringEquals',
        'StringNotEquals',
        'StringEqualsIgnoreCase',
        'StringNotEqualsIgnoreCase',
        'StringLike',
        'StringNotLike',
      ].map((name): [string, string] => [name, values['String']!]),
      ...[
        'Equals',
        'NotEquals',
        'LessThan',
        'LessThanEquals',
        'GreaterThan',
        'GreaterThanEquals',
      ].flatMap((suffix): [string, string][] => [
        [`Numeric${suffix}`, values['Numeric']!],
        [`Date${suffix}`, values['Date']!],
      ]),
      ['Bool', values['Bool']!],
      ['BinaryEquals', values['Binary']!],
      ['IpAddress', values['Ip']!],
      ['NotIpAddress', values['Ip']!],
      ...['ArnEquals', 'ArnNotEquals', 'ArnLike', 'ArnNotLike'].map((name): [string, string] => [
        name,
        values['Arn']!,
      ]),
    ];
    for (const [name, value] of operators) {
      for (const variant of [
        name,
        `${name}IfExists`,
        `ForAnyValue:${name}`,
        `ForAllValues:${name}IfExists`,
      ]) {
        condition[variant] = { 'ssm:SomeKey': value };
      }
    }
    condition['Null'] = { 'ssm:SomeKey': 'true' };
    const [statement] = parsePolicyDocument(withCondition(condition), 'identity', {
      maxLength: POLICY_SIZE_LIMITS.inlineRole,
    }).statements;
    expect(statement!.conditions).toHaveLength(operators.length * 4 + 1);
  });

  it('a trust policy, a resource policy, and AWS principals of every documented form', () => {
    const principals = [
      '*',
      { AWS: '*' },
      { AWS: '000000000000' },
      { AWS: 'arn:aws:iam::000000000000:root' },
      {
        AWS: [
          'arn:openssm:iam::000000000000:user/alice',
          'arn:aws:iam::000000000000:role/path/Ops',
        ],
      },
      { AWS: 'arn:aws:sts::000000000000:assumed-role/Ops/alice' },
      { Service: ['ssm.amazonaws.com', 'ec2.amazonaws.com'] },
      { Federated: 'cognito-identity.amazonaws.com' },
    ];
    for (const principal of principals) {
      expect(() => parsePolicyDocument(withPrincipal(principal), 'trust')).not.toThrow();
    }
    const resourcePolicy = policy({
      Effect: 'Deny',
      NotPrincipal: { AWS: ['arn:aws:iam::000000000000:user/alice', '000000000000'] },
      Action: 'ssm:GetDocument',
      Resource: '*',
    });
    expect(parsePolicyDocument(resourcePolicy, 'resource').statements[0]!.principals!.negated).toBe(
      true,
    );
  });
});
