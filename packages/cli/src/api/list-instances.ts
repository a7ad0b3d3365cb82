// DescribeInstanceInformation with every page followed, for `ls` and target resolution.

import {
  paginateDescribeInstanceInformation,
  type InstanceInformation,
  type InstanceInformationStringFilter,
  type SSMClient,
} from '@aws-sdk/client-ssm';

/** AWS caps a page at 50 with Filters; fewer round trips for large fleets. */
const PAGE_SIZE = 50;

export async function listInstances(
  client: SSMClient,
  filters: readonly InstanceInformationStringFilter[],
): Promise<InstanceInformation[]> {
  const found: InstanceInformation[] = [];
  const pages = paginateDescribeInstanceInformation(
    { client, pageSize: PAGE_SIZE },
    filters.length === 0 ? {} : { Filters: [...filters] },
  );
  for await (const page of pages) found.push(...(page.InstanceInformationList ?? []));
  return found;
}
