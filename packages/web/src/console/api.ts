// The console's API client: the same JSON 1.1 and query endpoints at `POST /` that the AWS CLI
// calls, authenticated by the HttpOnly session cookie (sent by the browser) and the CSRF token
// (kept in memory, sent in a header). Errors keep AWS's code so pages can say "not authorized".

export const CSRF_HEADER = 'x-openssm-csrf';

export interface SignedInUser {
  readonly userName: string;
  readonly arn: string;
  readonly csrfToken: string;
  readonly multiFactor: boolean;
  /** The server's region (for the commands the console shows). */
  readonly region: string;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  get notAuthorized(): boolean {
    return this.code === 'AccessDeniedException' || this.code === 'AccessDenied';
  }

  get signedOut(): boolean {
    return (
      this.code === 'UnrecognizedClientException' ||
      this.code === 'MissingAuthenticationTokenException'
    );
  }
}

type Listener = () => void;

let current: SignedInUser | undefined;
const signedOutListeners: Listener[] = [];

export function currentUser(): SignedInUser | undefined {
  return current;
}

export function onSignedOut(listener: Listener): void {
  signedOutListeners.push(listener);
}

function signedOut(): void {
  current = undefined;
  for (const listener of signedOutListeners) listener();
}

/** The session the cookie names, if any (after a reload). */
export async function restoreSession(): Promise<SignedInUser | undefined> {
  const response = await send('api/session', { credentials: 'same-origin' });
  if (response.status === 401) return undefined;
  const body = await readJson(response);
  if (!response.ok) throw errorOf(body, response.status);
  current = body as unknown as SignedInUser;
  return current;
}

export async function signIn(
  userName: string,
  password: string,
  mfaCode?: string,
  newPassword?: string,
): Promise<SignedInUser> {
  const response = await send('api/sign-in', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      userName,
      password,
      ...(mfaCode === undefined ? {} : { mfaCode }),
      ...(newPassword === undefined ? {} : { newPassword }),
    }),
  });
  const body = await readJson(response);
  if (!response.ok) throw errorOf(body, response.status);
  current = body as unknown as SignedInUser;
  return current;
}

export async function signOut(): Promise<void> {
  const user = current;
  if (user !== undefined) {
    await send('api/sign-out', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { [CSRF_HEADER]: user.csrfToken },
    });
  }
  signedOut();
}

/** One of the console's own routes (`api/mfa/…`), with the CSRF header. */
export async function consoleRoute<T = Record<string, unknown>>(
  path: string,
  body?: object,
): Promise<T> {
  const response = await send(`api/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', [CSRF_HEADER]: current?.csrfToken ?? '' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await readJson(response);
  if (!response.ok) throw errorOf(answer, response.status);
  return answer as T;
}

/** A JSON 1.1 operation, e.g. `callJson('AmazonSSM.DescribeInstanceInformation', {})`. */
export async function callJson<T = Record<string, unknown>>(
  target: string,
  input: object,
): Promise<T> {
  const response = await send('/', {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      [CSRF_HEADER]: current?.csrfToken ?? '',
    },
    body: JSON.stringify(input),
  });
  const body = await readJson(response);
  if (!response.ok) {
    const error = errorOf(body, response.status);
    if (error.signedOut) signedOut();
    throw error;
  }
  return body as T;
}

export const ssm = <T = Record<string, unknown>>(operation: string, input: object = {}) =>
  callJson<T>(`AmazonSSM.${operation}`, input);

/** Every page of a paginated SSM listing (bounded: a console table, not an export). */
export async function ssmAll<T>(
  operation: string,
  input: object,
  listKey: string,
  maxPages = 20,
): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const output = await ssm(operation, {
      ...input,
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    });
    items.push(...((output[listKey] as T[] | undefined) ?? []));
    nextToken = output['NextToken'] as string | undefined;
    if (nextToken === undefined || nextToken === '') break;
  }
  return items;
}

/** A query (IAM, STS) operation; the XML result element is returned for the page to read. */
export async function callQuery(
  action: string,
  params: Readonly<Record<string, string>> = {},
  version = '2010-05-08',
): Promise<Element> {
  const response = await send('/', {
    method: 'POST',
    credentials: 'same-origin',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      [CSRF_HEADER]: current?.csrfToken ?? '',
    },
    body: new URLSearchParams({ Action: action, Version: version, ...params }).toString(),
  });
  const xml = new DOMParser().parseFromString(await response.text(), 'application/xml');
  if (!response.ok) {
    const code = xml.querySelector('Error > Code')?.textContent ?? 'InternalServerError';
    const message = xml.querySelector('Error > Message')?.textContent ?? response.statusText;
    const error = new ApiError(code, message, response.status);
    if (error.signedOut) signedOut();
    throw error;
  }
  return xml.documentElement;
}

/** fetch, with "the server cannot be reached" as a clear ApiError instead of "Failed to fetch". */
async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch {
    throw new ApiError(
      'NetworkError',
      'The server could not be reached. Check the connection, then try again.',
      0,
    );
  }
}

/** The JSON object of an answer; anything else (a proxy's HTML error page) as a clear ApiError. */
async function readJson(response: Response): Promise<Record<string, unknown>> {
  try {
    const value: unknown = await response.json();
    if (typeof value === 'object' && value !== null) return value as Record<string, unknown>;
  } catch {
    // Not JSON: reported below.
  }
  throw new ApiError(
    'UnexpectedResponse',
    `The server answered ${String(response.status)} ${response.statusText} with something other than the API's JSON (is a proxy in between failing?).`,
    response.status,
  );
}

function errorOf(body: Record<string, unknown>, status: number): ApiError {
  const type = typeof body['__type'] === 'string' ? body['__type'] : 'InternalServerError';
  const message = typeof body['message'] === 'string' ? body['message'] : 'The request failed.';
  return new ApiError(type.replace(/^.*#/, ''), message, status);
}
