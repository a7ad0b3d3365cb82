// DescribeInstanceInformation: the fleet, with both of AWS's filter syntaxes (the legacy
// `InstanceInformationFilterList` of {key, valueSet} and `Filters` of {Key, Values}), PingStatus
// from the live control channels.

import { CodedError, type JsonObjectReader } from '@openssm/protocol';
import type { InstanceFilter } from '../storage/repositories.js';
import type { ManagedInstanceRecord } from '../storage/records.js';
import { instanceArn, type Services } from '../services/services.js';
import { defineOperation } from './operation.js';
import { epochSeconds, nextToken, pageInput, reader } from './input.js';

type PingStatus = 'Online' | 'ConnectionLost' | 'Inactive';

interface ParsedFilters {
  readonly filter: InstanceFilter;
  /** PingStatus lives in the connection registry, not in storage: turned into ids per request. */
  readonly pingStatuses: readonly string[] | undefined;
}

const KEYS = [
  'InstanceIds',
  'AgentVersion',
  'PingStatus',
  'PlatformTypes',
  'ActivationIds',
  'IamRole',
  'ResourceType',
  'AssociationStatus',
];

export const describeInstanceInformation = defineOperation({
  name: 'DescribeInstanceInformation',
  auth: 'sigv4',
  action: 'ssm:DescribeInstanceInformation',
  parse(body) {
    const input = reader(body);
    const pairs: [string, readonly string[]][] = [];
    for (const item of list(input, 'InstanceInformationFilterList')) {
      pairs.push([item.string('key'), values(item, 'valueSet')]);
    }
    for (const item of list(input, 'Filters')) {
      pairs.push([item.string('Key'), values(item, 'Values')]);
    }
    return { ...toFilters(pairs), page: pageInput(input, 5, 50, 50) };
  },
  resource: (_input, { services }) => instanceArn(services.identity, '*'),
  async handle({ filter, pingStatuses, page }, { services, now }) {
    const result = await services.instances.list(
      withPingStatus(filter, pingStatuses, services, now),
      page,
    );
    // Agents report four numbers (0.1.0.0); bundles are versioned with three.
    const latest = await services.nodeLifecycle.latestAgentVersion();
    const rows = result.items.map((instance) =>
      describe(
        instance,
        pingStatus(services, instance, now),
        latest !== undefined && instance.agentVersion === `${latest}.0`,
      ),
    );
    return { InstanceInformationList: rows, ...nextToken(result.nextCursor) };
  },
});

function list(input: JsonObjectReader, key: string): JsonObjectReader[] {
  return input.has(key) ? input.objectArray(key) : [];
}

function values(item: JsonObjectReader, key: string): readonly string[] {
  const found = item.stringArray(key);
  if (found.length < 1 || found.length > 100 || found.some((value) => value.length === 0)) {
    throw new CodedError(
      'InvalidInstanceInformationFilterValue',
      `${key} must hold 1 to 100 non-empty values.`,
    );
  }
  return found;
}

function toFilters(pairs: readonly [string, readonly string[]][]): ParsedFilters {
  const filter: { -readonly [K in keyof InstanceFilter]: InstanceFilter[K] } = {};
  let pingStatuses: readonly string[] | undefined;
  const tags: { key: string; values: readonly string[] }[] = [];
  for (const [key, found] of pairs) {
    if (key.startsWith('tag:') && key.length > 4) tags.push({ key: key.slice(4), values: found });
    else if (key === 'tag-key') for (const tagKey of found) tags.push({ key: tagKey, values: [] });
    else if (key === 'InstanceIds') filter.instanceIds = found;
    else if (key === 'AgentVersion') filter.agentVersions = found;
    else if (key === 'PlatformTypes') filter.platformTypes = found;
    else if (key === 'ActivationIds') filter.activationIds = found;
    else if (key === 'IamRole') filter.iamRoles = found;
    else if (key === 'Name') filter.names = found;
    else if (key === 'PingStatus') pingStatuses = found;
    else if (key === 'ResourceType') {
      // Every node here is a hybrid managed instance.
      if (!found.includes('ManagedInstance')) filter.instanceIds = [];
    } else if (key === 'AssociationStatus') {
      // No associations exist yet: nothing can match a requested association status.
      filter.instanceIds = [];
    } else if (!KEYS.includes(key)) {
      throw new CodedError(
        'InvalidFilterKey',
        `Unsupported filter key ${JSON.stringify(key.slice(0, 64))}.`,
      );
    }
  }
  if (tags.length > 0) filter.tags = tags;
  return { filter, pingStatuses };
}

/**
 * The storage filter narrowed to the requested PingStatus values, so a page is never cut short
 * by filtering after the query. Inactive: not connected and unseen for --node-inactive-after.
 */
function withPingStatus(
  filter: InstanceFilter,
  pingStatuses: readonly string[] | undefined,
  services: Services,
  now: number,
): InstanceFilter {
  if (pingStatuses === undefined) return filter;
  return {
    ...filter,
    pingStatus: {
      connectedIds: services.connections.connectedIds(),
      inactiveSince: inactiveSince(services, now),
      online: pingStatuses.includes('Online'),
      connectionLost: pingStatuses.includes('ConnectionLost'),
      inactive: pingStatuses.includes('Inactive'),
    },
  };
}

/** Nodes last seen before this are Inactive (never, when the setting is 0). */
function inactiveSince(services: Services, now: number): number {
  const after = services.nodeLifecycle.inactiveAfterMs;
  return after === 0 ? Number.MIN_SAFE_INTEGER : now - after;
}

function pingStatus(services: Services, instance: ManagedInstanceRecord, now: number): PingStatus {
  if (services.connections.isConnected(instance.instanceId)) return 'Online';
  const seen = instance.lastPingAt ?? instance.registeredAt;
  return seen < inactiveSince(services, now) ? 'Inactive' : 'ConnectionLost';
}

function describe(instance: ManagedInstanceRecord, ping: PingStatus, isLatestVersion: boolean) {
  return {
    InstanceId: instance.instanceId,
    PingStatus: ping,
    ...(instance.lastPingAt === null
      ? {}
      : { LastPingDateTime: epochSeconds(instance.lastPingAt) }),
    ...(instance.agentVersion === '' ? {} : { AgentVersion: instance.agentVersion }),
    IsLatestVersion: isLatestVersion,
    ...(instance.platformType === null ? {} : { PlatformType: instance.platformType }),
    PlatformName: instance.platformName,
    PlatformVersion: instance.platformVersion,
    ActivationId: instance.activationId,
    IamRole: instance.iamRole,
    RegistrationDate: epochSeconds(instance.registeredAt),
    ResourceType: 'ManagedInstance',
    Name: instance.name,
    IPAddress: instance.ipAddress,
    ComputerName: instance.computerName,
    SourceId: instance.instanceId,
    SourceType: 'AWS::SSM::ManagedInstance',
  };
}
