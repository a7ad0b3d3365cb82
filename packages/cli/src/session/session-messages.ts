// The lines a session prints, worded exactly as AWS's plugin prints them (ssm-wire §3.3, §4.11,
// §4.13, §12.4): scripts and users match on them, so they live in one place and tests pin them.

export function startingSessionMessage(sessionId: string): string {
  return `\nStarting session with SessionId: ${sessionId}\n`;
}

/** channel_closed: the plain form when the gateway gave no Output, else the Output itself. */
export function channelClosedMessage(sessionId: string, output: string): string {
  return output === ''
    ? `\n\nExiting session with sessionId: ${sessionId}.\n\n`
    : `\n\nSessionId: ${sessionId} : ${output}\n\n`;
}

/** ResumeSession returned no token. */
export function sessionTimedOutMessage(sessionId: string): string {
  return `Session: ${sessionId} timed out.\n`;
}

/** Any failure before or while starting, including stdin at EOF (`EOF`). */
export function cannotStartMessage(reason: string): string {
  return `Cannot perform start session: ${reason}\n`;
}
