// SimulateCustomPolicy (IAM): how the given policies decide actions on resources, before they
// are attached anywhere.

import { defineQueryOperation } from './query-operation.js';
import { evaluationResultsOut, readSimulation } from './simulation-input.js';

export const simulateCustomPolicy = defineQueryOperation({
  name: 'SimulateCustomPolicy',
  service: 'iam',
  action: 'iam:SimulateCustomPolicy',
  parse: (params) => {
    const input = readSimulation(params);
    // IAM requires at least one policy here.
    params.string('PolicyInputList.member.1', 1, 131072);
    return input;
  },
  resource: () => '*',
  async handle(input, context) {
    return evaluationResultsOut(await context.services.iam.simulate(input));
  },
});
