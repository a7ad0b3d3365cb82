// DescribeActivations: list activations, with AWS's filters and pagination.

import { CodedError } from '@openssm/protocol';
import type { ActivationFilter } from '../storage/repositories.js';
import { activationArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { epochSeconds, nextToken, pageInput, reader, tagsOut } from './input.js';

const FILTER_KEYS = ['ActivationIds', 'DefaultInstanceName', 'IamRole'] as const;

export const describeActivations = defineOperation({
  name: 'DescribeActivations',
  auth: 'sigv4',
  action: 'ssm:DescribeActivations',
  parse(body) {
    const input = reader(body);
    let filter: ActivationFilter = {};
    for (const item of input.has('Filters') ? input.objectArray('Filters') : []) {
      const key = item.string('FilterKey');
      if (!(FILTER_KEYS as readonly string[]).includes(key)) {
        throw new CodedError(
          'InvalidFilterKey',
          `Unsupported filter key ${JSON.stringify(key.slice(0, 64))}.`,
        );
      }
      const values = item.stringArray('FilterValues');
      if (key === 'ActivationIds') filter = { ...filter, activationIds: values };
      else if (key === 'IamRole') filter = { ...filter, iamRole: values[0] ?? '' };
      else filter = { ...filter, defaultInstanceName: values[0] ?? '' };
    }
    return { filter, page: pageInput(input, 1, 50, 50) };
  },
  resource: (_input, { services }) => activationArn(services.identity, '*'),
  async handle({ filter, page }, { services, now }) {
    const result = await services.activations.list(filter, page);
    return {
      ActivationList: result.items.map((activation) => ({
        ActivationId: activation.activationId,
        Description: activation.description,
        DefaultInstanceName: activation.defaultInstanceName,
        IamRole: activation.iamRole,
        RegistrationLimit: activation.registrationLimit,
        RegistrationsCount: activation.registrationsCount,
        ExpirationDate: epochSeconds(activation.expiresAt),
        Expired: activation.expiresAt <= now,
        CreatedDate: epochSeconds(activation.createdAt),
        Tags: tagsOut(activation.tags),
      })),
      ...nextToken(result.nextCursor),
    };
  },
});
