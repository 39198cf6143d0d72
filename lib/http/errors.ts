/**
 * The one error format of the HTTP API: `{ "error": { "code", "message" } }`.
 * Handlers throw `HttpError`; `lib/http/handler.ts` turns it into a response. Anything else
 * thrown is a bug on our side and becomes a 500 with a generic message (details go to the log).
 */
export interface ErrorDetail {
  /** Dotted path of the offending field ("members.0.email"), or "body". */
  path: string;
  message: string;
}

export interface ErrorBody {
  /** `details` is present on validation errors: one entry per field that is wrong. */
  error: { code: string; message: string; details?: ErrorDetail[] };
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (code: string, message: string) => new HttpError(400, code, message);
export const unauthorized = (code: string, message: string) =>
  // RFC 6750: tell the client which scheme we expect.
  new HttpError(401, code, message, { 'WWW-Authenticate': 'Bearer realm="koma"' });
export const forbidden = (message = 'your role in this project does not allow this') => new HttpError(403, 'forbidden', message);
export const notFound = (message = 'not found') => new HttpError(404, 'not_found', message);
export const conflict = (code: string, message: string) => new HttpError(409, code, message);
export const payloadTooLarge = (message: string) => new HttpError(413, 'payload_too_large', message);
export const unsupportedMediaType = (message: string) => new HttpError(415, 'unsupported_media_type', message);
/** A dependency is down or slow: the client should come back (503 + Retry-After), not report a bug. */
export const unavailable = (message: string, retryAfterSeconds = 5) =>
  new HttpError(503, 'unavailable', message, { 'Retry-After': String(retryAfterSeconds) });
export function tooManyRequests(retryAfterSeconds: number, message = 'too many requests'): HttpError {
  return new HttpError(429, 'rate_limited', `${message}; retry in ${retryAfterSeconds} s`, {
    'Retry-After': String(retryAfterSeconds),
  });
}

export function errorBody(code: string, message: string, details?: ErrorDetail[]): ErrorBody {
  return { error: details?.length ? { code, message, details } : { code, message } };
}
