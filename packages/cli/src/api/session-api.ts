// The two SSM calls a running session makes on its own: ResumeSession after a dropped link and a
// best-effort TerminateSession when the client gives up, so the server does not keep a session
// nobody can join.

import { ResumeSessionCommand, TerminateSessionCommand, type SSMClient } from '@aws-sdk/client-ssm';

/** The new TokenValue; '' or undefined means the session is gone (§2.3 ResumeSession). */
export async function resumeSession(
  client: SSMClient,
  sessionId: string,
): Promise<string | undefined> {
  const output = await client.send(new ResumeSessionCommand({ SessionId: sessionId }));
  return output.TokenValue;
}

/** How long a goodbye may hold up the exit; the server times idle sessions out anyway. */
const TERMINATE_TIMEOUT_MS = 5000;

/** TerminateSession, ignoring failures: it is a courtesy on the way out. */
export async function terminateSessionQuietly(
  client: SSMClient,
  sessionId: string,
): Promise<boolean> {
  try {
    await client.send(new TerminateSessionCommand({ SessionId: sessionId }), {
      abortSignal: AbortSignal.timeout(TERMINATE_TIMEOUT_MS),
    });
    return true;
  } catch {
    return false;
  }
}
