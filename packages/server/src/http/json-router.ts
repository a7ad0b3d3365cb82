// One `POST /` for every JSON 1.1 service (ssm-wire §12.5): the X-Amz-Target prefix names the
// service (`AmazonSSM`, `Logs_20140328`, CloudTrail's, OpenSSM's own), and each service's
// dispatcher checks the SigV4 scope names it. Unknown prefixes go to the first dispatcher,
// which answers UnknownOperationException (and audits the call).

import type { AwsJsonDispatcher } from './aws-json-dispatcher.js';
import { headerValue } from './raw-request.js';

export interface JsonRoute {
  readonly targetPrefix: string;
  readonly dispatch: AwsJsonDispatcher;
}

export function createJsonRouter(routes: readonly [JsonRoute, ...JsonRoute[]]): AwsJsonDispatcher {
  const byPrefix = new Map(routes.map((route) => [route.targetPrefix, route.dispatch]));
  const fallback = routes[0].dispatch;
  return (request) => {
    const target = headerValue(request, 'x-amz-target') ?? '';
    const dot = target.lastIndexOf('.');
    const dispatch = dot > 0 ? byPrefix.get(target.slice(0, dot)) : undefined;
    return (dispatch ?? fallback)(request);
  };
}
