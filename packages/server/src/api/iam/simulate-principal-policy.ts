// SimulatePrincipalPolicy (IAM): how the policies of a user (with its groups'), a group or a
// role decide actions on resources, and which statements decided.

import { CodedError } from '@openssm/protocol';
import { defineQueryOperation } from './query-operation.js';
import { evaluationResultsOut, readSimulation } from './simulation-input.js';

const SOURCE_ARN =
  /^arn:[\w-]+:iam::\d{12}:(user|group|role)\/(?:[\u0021-\u007E]*\/)?([\w+=,.@-]+)$/;

export const simulatePrincipalPolicy = defineQueryOperation({
  name: 'SimulatePrincipalPolicy',
  service: 'iam',
  action: 'iam:SimulatePrincipalPolicy',
  parse(params) {
    const sourceArn = params.string('PolicySourceArn', 20, 2048);
    const match = SOURCE_ARN.exec(sourceArn);
    if (match === null) {
      throw new CodedError(
        'InvalidInput',
        `PolicySourceArn ${sourceArn.slice(0, 128)} is not the ARN of a user, group or role.`,
      );
    }
    const kind = match[1] as 'user' | 'group' | 'role';
    return { sourceArn, source: { kind, name: match[2]! }, ...readSimulation(params) };
  },
  resource: (input) => input.sourceArn,
  async handle(input, context) {
    return evaluationResultsOut(await context.services.iam.simulate(input));
  },
});
