// TerminateSession: channel_closed to the client and to the node (data and control channel).

import { sessionArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, reader } from './input.js';

export const terminateSession = defineOperation({
  name: 'TerminateSession',
  auth: 'sigv4',
  action: 'ssm:TerminateSession',
  parse: (body) => ({ sessionId: boundedString(reader(body), 'SessionId', 1, 96) }),
  resource: ({ sessionId }, { services }) => sessionArn(services.identity, sessionId),
  async handle({ sessionId }, { services, now, principal }) {
    await services.sessions.terminate(
      sessionId,
      now,
      `Terminated by ${principal?.arn ?? 'the server'}.`,
    );
    return { SessionId: sessionId };
  },
});
