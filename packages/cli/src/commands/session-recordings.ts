// `openssm sessions log|play|export <id>`: a session's transcript, its recording replayed with
// the original timing, or both written to files — read with GetSessionRecording (OpenSSM's
// operation, authorized as openssm:GetSessionRecording on the session).

import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { OPENSSM, asText, type JsonCall } from '../api/json-api.js';
import { UsageError } from '../errors.js';
import type { CommandContext, OptionValues } from './command.js';

export type RecordingFormat = 'asciicast' | 'transcript';

/** Reads a whole recording, piece by piece. */
export async function fetchRecording(
  json: JsonCall,
  sessionId: string,
  format: RecordingFormat,
): Promise<{ content: string; status: string }> {
  let offset = 0;
  let content = '';
  for (;;) {
    const answer = await json(OPENSSM, 'GetSessionRecording', {
      SessionId: sessionId,
      Format: format,
      Offset: offset,
    });
    content += asText(answer['Content'], '');
    const status = asText(answer['Status'], '');
    const next = answer['NextOffset'];
    if (typeof next !== 'number' || next <= offset) return { content, status };
    offset = next;
  }
}

export async function sessionLog(context: CommandContext, sessionId: string): Promise<number> {
  const { content, status } = await fetchRecording(context.api().json, sessionId, 'transcript');
  context.host.stdout.write(content);
  if (status === 'Recording') context.host.stderr.write('(the session is still running)\n');
  return 0;
}

/** Longest pause `play` keeps by default is the original one; --idle-limit caps it. */
export async function sessionPlay(
  context: CommandContext,
  sessionId: string,
  values: OptionValues,
): Promise<number> {
  const speed = positiveNumber(values['speed'], '--speed') ?? 1;
  const idleLimit = positiveNumber(values['idle-limit'], '--idle-limit');
  const { content } = await fetchRecording(context.api().json, sessionId, 'asciicast');
  const lines = content.split('\n').filter((line) => line !== '');
  let previous = 0;
  for (const line of lines.slice(1)) {
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(event) || typeof event[0] !== 'number' || event[1] !== 'o') continue;
    let wait = (event[0] - previous) / speed;
    previous = event[0];
    if (idleLimit !== undefined) wait = Math.min(wait, idleLimit);
    if (wait > 0) await new Promise((done) => setTimeout(done, wait * 1000));
    context.host.stdout.write(String(event[2]));
  }
  return 0;
}

export async function sessionExport(
  context: CommandContext,
  sessionId: string,
  values: OptionValues,
): Promise<number> {
  const dir = resolve(typeof values['dir'] === 'string' ? values['dir'] : '.');
  await mkdir(dir, { recursive: true });
  const json = context.api().json;
  const cast = await fetchRecording(json, sessionId, 'asciicast');
  const transcript = await fetchRecording(json, sessionId, 'transcript');
  const castPath = join(dir, `${sessionId}.cast`);
  const logPath = join(dir, `${sessionId}.log`);
  await writeFile(castPath, cast.content, { mode: 0o600 });
  await writeFile(logPath, transcript.content, { mode: 0o600 });
  context.host.stdout.write(`${castPath}\n${logPath}\n`);
  return 0;
}

function positiveNumber(value: OptionValues[string], flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`${flag} wants a positive number`);
  }
  return number;
}
