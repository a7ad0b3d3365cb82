// UpdateInstanceInformation: the agent's heartbeat with its platform details (ssm-wire §2.3).
// A node may only report for itself.

import { CodedError } from '@openssm/protocol';
import type { PlatformType } from '../storage/records.js';
import { instanceArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, INSTANCE_ID_PATTERN, optionalBoundedString, reader } from './input.js';

const PLATFORM_TYPES: readonly PlatformType[] = ['Linux', 'Windows', 'MacOS'];

export const updateInstanceInformation = defineOperation({
  name: 'UpdateInstanceInformation',
  auth: 'sigv4',
  action: 'ssm:UpdateInstanceInformation',
  parse(body) {
    const input = reader(body);
    const platformType = optionalBoundedString(input, 'PlatformType', 1, 16);
    if (
      platformType !== undefined &&
      !(PLATFORM_TYPES as readonly string[]).includes(platformType)
    ) {
      throw input.fail('PlatformType', 'must be Linux, Windows or MacOS');
    }
    return {
      instanceId: boundedString(input, 'InstanceId', 1, 124, INSTANCE_ID_PATTERN),
      update: {
        platformType: (platformType as PlatformType | undefined) ?? null,
        platformName: optionalBoundedString(input, 'PlatformName', 0, 120) ?? '',
        platformVersion: optionalBoundedString(input, 'PlatformVersion', 0, 120) ?? '',
        agentVersion: optionalBoundedString(input, 'AgentVersion', 0, 64) ?? '',
        ipAddress: optionalBoundedString(input, 'IPAddress', 0, 46) ?? '',
        computerName: optionalBoundedString(input, 'ComputerName', 0, 255) ?? '',
      },
    };
  },
  resource: ({ instanceId }, { services }) => instanceArn(services.identity, instanceId),
  async handle({ instanceId, update }, { services, principal, now }) {
    if (principal?.kind === 'node' && principal.id !== instanceId) {
      throw new CodedError(
        'AccessDeniedException',
        `A node may only update its own information, not ${instanceId}.`,
      );
    }
    await services.instances.updateInformation(instanceId, update, now);
    return {};
  },
});
