// ResumeSession: a fresh token for the same stream URL after a dropped link (ssm-wire §4.13).

import { sessionArn } from '../services/services.js';
import { defineOperation } from './operation.js';
import { boundedString, reader } from './input.js';

export const resumeSession = defineOperation({
  name: 'ResumeSession',
  auth: 'sigv4',
  action: 'ssm:ResumeSession',
  parse: (body) => ({ sessionId: boundedString(reader(body), 'SessionId', 1, 96) }),
  resource: ({ sessionId }, { services }) => sessionArn(services.identity, sessionId),
  async handle({ sessionId }, { services, now }) {
    const ticket = await services.sessions.resume(sessionId, now);
    return {
      SessionId: ticket.sessionId,
      TokenValue: ticket.tokenValue,
      StreamUrl: ticket.streamUrl,
    };
  },
});
