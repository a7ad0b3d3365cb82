// AttachGroupPolicy (IAM): Attaches a managed policy to a group.

import { NAME_LIMITS } from '../../services/iam/iam-validation.js';
import { readName } from './iam-input.js';
import { entityResource } from './iam-resources.js';
import { defineQueryOperation } from './query-operation.js';

export const attachGroupPolicy = defineQueryOperation({
  name: 'AttachGroupPolicy',
  service: 'iam',
  action: 'iam:AttachGroupPolicy',
  parse: (params) => ({
    groupName: readName(params, 'GroupName', NAME_LIMITS.group),
    policyArn: params.string('PolicyArn', 20, 2048),
  }),
  resource: (input, context) => entityResource(context, 'group', input.groupName),
  async handle(input, context) {
    await context.services.iam.policies.attach(
      'group',
      input.groupName,
      input.policyArn,
      context.now,
    );
    return undefined;
  },
});
