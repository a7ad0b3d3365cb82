// CreatePolicy (IAM): Creates a customer managed policy (validated: a malformed document is refused).

import { iamArn } from '../../services/iam/iam-arns.js';
import { ENTITY_NAME, NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readPath } from './iam-input.js';
import { policyOut } from './iam-output.js';
import { defineQueryOperation } from './query-operation.js';

export const createPolicy = defineQueryOperation({
  name: 'CreatePolicy',
  service: 'iam',
  action: 'iam:CreatePolicy',
  parse: (params) => ({
    policyName: params.string('PolicyName', 1, NAME_LIMITS.policy, ENTITY_NAME),
    path: readPath(params),
    description: params.optionalString('Description', 0, 1000) ?? '',
    document: params.string('PolicyDocument', 1, 131072),
  }),
  resource: (input, context) =>
    iamArn(context.services.identity, 'policy', input.path, input.policyName),
  async handle(input, context) {
    const policy = await context.services.iam.policies.create(
      input.policyName,
      input.path,
      input.description,
      input.document,
      context.now,
    );
    return { Policy: policyOut({ policy, builtin: false, attachmentCount: 0 }) };
  },
});
