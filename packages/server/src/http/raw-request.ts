// The parts of an HTTP request the API layer needs, independent of the HTTP framework: SigV4
// verification works on exactly these bytes and headers.

export interface RawRequest {
  readonly method: string;
  /** Path without the query string, as received (not decoded). */
  readonly path: string;
  /** Query string without `?`, as received. */
  readonly query: string;
  /** Node's lower-cased header object. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestId: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function headerValue(request: RawRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
