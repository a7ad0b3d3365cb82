// asciicast v2 (asciinema's recording format): a JSON header line, then one JSON array per
// event — [seconds since start, "o" | "i" | "r", data]. "o" is output, "i" input, "r" a resize
// ("COLSxROWS"). Replays with `asciinema play` and with `openssm sessions play`.

export interface AsciicastHeader {
  readonly version: 2;
  readonly width: number;
  readonly height: number;
  /** Unix seconds of the start. */
  readonly timestamp: number;
  readonly title?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export type AsciicastEventType = 'o' | 'i' | 'r';

export function encodeAsciicastHeader(header: AsciicastHeader): string {
  return `${JSON.stringify(header)}\n`;
}

/** One event line; time in seconds with microsecond precision, as asciinema writes. */
export function encodeAsciicastEvent(
  seconds: number,
  type: AsciicastEventType,
  data: string,
): string {
  return `${JSON.stringify([Math.round(seconds * 1e6) / 1e6, type, data])}\n`;
}
