// GetSessionRecording (OpenSSM's own API, `OpenSSM_20260101.GetSessionRecording`, SigV4 service
// `openssm`): a session's asciicast recording or text transcript, in pieces of up to 1 MiB cut
// at line ends. Authorized as `openssm:GetSessionRecording` on the session's ARN, so policies
// can allow people their own recordings (`session/${aws:username}-*`) and auditors all of them.

import { recordingLocation } from '../../services/recording-service.js';
import { sessionArn } from '../../services/services.js';
import { defineOperation } from '../operation.js';
import { boundedString, epochSeconds, reader } from '../input.js';

export const OPENSSM_TARGET_PREFIX = 'OpenSSM_20260101';

export const getSessionRecording = defineOperation({
  name: 'GetSessionRecording',
  auth: 'sigv4',
  action: 'openssm:GetSessionRecording',
  parse(body) {
    const input = reader(body);
    return {
      sessionId: boundedString(input, 'SessionId', 1, 96),
      format: input.has('Format')
        ? input.oneOf('Format', ['asciicast', 'transcript'] as const)
        : ('transcript' as const),
      offset: input.has('Offset') ? input.integer('Offset', 0, Number.MAX_SAFE_INTEGER) : 0,
    };
  },
  resource: ({ sessionId }, { services }) => sessionArn(services.identity, sessionId),
  async handle({ sessionId, format, offset }, { services }) {
    const chunk = await services.recordings.read(sessionId, format, offset);
    const { recording } = chunk;
    const location = recordingLocation(recording, format);
    return {
      SessionId: sessionId,
      Format: format,
      Status: recording.status,
      Target: recording.target,
      Owner: recording.owner,
      InputRecorded: recording.inputRecorded,
      StartDate: epochSeconds(recording.startedAt),
      ...(recording.endedAt === null ? {} : { EndDate: epochSeconds(recording.endedAt) }),
      Location: services.recordings.store.describe(location.bucket, location.key),
      TotalBytes: chunk.totalBytes,
      Content: chunk.content,
      ...(chunk.nextOffset === undefined ? {} : { NextOffset: chunk.nextOffset }),
    };
  },
});
