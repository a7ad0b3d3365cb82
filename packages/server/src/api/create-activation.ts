// CreateActivation: a code and id that let nodes register (ssm-wire §2.3, §9.1).

import { CodedError } from '@openssm/protocol';
import { iamArn } from '../services/iam/iam-arns.js';
import { activationArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import {
  boundedString,
  optionalBoundedString,
  optionalInteger,
  optionalTimestamp,
  reader,
  tagList,
} from './input.js';

export const createActivation = defineOperation({
  name: 'CreateActivation',
  auth: 'sigv4',
  action: 'ssm:CreateActivation',
  parse(body) {
    const input = reader(body);
    return {
      description: optionalBoundedString(input, 'Description', 0, 256) ?? '',
      defaultInstanceName: optionalBoundedString(input, 'DefaultInstanceName', 0, 256) ?? '',
      iamRole: boundedString(input, 'IamRole', 1, 64),
      registrationLimit: optionalInteger(input, 'RegistrationLimit', 1, 1000) ?? 1,
      expiresAt: optionalTimestamp(input, 'ExpirationDate'),
      tags: tagList(input, 'Tags', 1000),
    };
  },
  resource: (_input, { services }) => activationArn(services.identity, '*'),
  // Nodes registered with the activation act as its role: handing out a role is iam:PassRole,
  // as on AWS, or anyone allowed CreateActivation could mint nodes with an administrator's role.
  authorization: async ({ iamRole }, { services }) => [
    { action: 'ssm:CreateActivation', resource: activationArn(services.identity, '*') },
    {
      action: 'iam:PassRole',
      resource:
        (await services.iam.roles.get(iamRole).catch(() => undefined))?.arn ??
        iamArn(services.identity, 'role', '/', iamRole),
      context: { 'iam:PassedToService': 'ssm.amazonaws.com' },
    },
  ],
  async handle(input, { services, now }) {
    if ((await services.iam.roles.trustedBy(input.iamRole, 'ssm.amazonaws.com')) === undefined) {
      throw new CodedError(
        'InvalidParameters',
        `Nonexistent role or missing ssm service principal in trust policy: ${input.iamRole}`,
      );
    }
    const { activationId, activationCode } = await services.activations.create(input, now);
    return { ActivationId: activationId, ActivationCode: activationCode };
  },
});
