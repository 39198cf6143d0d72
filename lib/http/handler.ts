/**
 * `route()` wraps every API route handler with the cross-cutting parts, so a handler is only
 * its own logic:
 *   request id (x-request-id in and out) · per-IP rate limit · CORS · security headers ·
 *   error → `{error:{code,message}}` · one log line and metrics per request.
 *
 *   export const POST = route('projects.create', async ({ req, ctx }) => json({ ... }, 201));
 *   export const GET = route('projects.get', async ({ req, params }) => { ... });
 *   export const OPTIONS = preflight;
 */
import { z } from 'zod';
import { corsHeaders } from './cors';
import { createContext, type RequestContext } from './context';
import { HttpError, errorBody, type ErrorDetail } from './errors';
import { recordRequest } from './http-metrics';
import { limitIp, type RateLimitResult } from './rate-limit';
import { API_SECURITY_HEADERS } from './security-headers';
import { isRedisUnavailable } from '../redis/unavailable';
import { NETWORK_ERROR_CODES } from '../net';

export interface HandlerArgs {
  req: Request;
  ctx: RequestContext;
  /** Route params as Next passes them (validate with `readParams`). */
  params: Promise<Record<string, string | string[] | undefined>>;
}

export interface RouteOptions {
  /** Health probes and metric scrapes are not counted against the per-IP limit. */
  rateLimit?: boolean;
}

/** What Next passes as the second argument of a route handler. */
export interface NextRouteContext {
  params?: Promise<Record<string, string | string[] | undefined>>;
}

export type RouteHandler = (req: Request, context?: NextRouteContext) => Promise<Response>;

export function json(data: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
  });
}

export function noContent(headers: Record<string, string> = {}): Response {
  return new Response(null, { status: 204, headers });
}

export function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}, details?: ErrorDetail[]): Response {
  return json(errorBody(code, message, details), status, headers);
}

// SQLSTATE classes that can only come from a value a client sent (a constraint we forgot to
// mirror in zod). They are still the client's mistake: 4xx, never 500.
const CLIENT_SQLSTATES: Record<string, [number, string]> = {
  '22001': [400, 'invalid_input'],
  '22003': [400, 'invalid_input'],
  '22007': [400, 'invalid_input'],
  '22008': [400, 'invalid_input'],
  '22021': [400, 'invalid_input'],
  '22P02': [400, 'invalid_input'],
  '23502': [400, 'invalid_input'],
  '23514': [400, 'invalid_input'],
  '23503': [409, 'conflict'],
  '23505': [409, 'conflict'],
};

const pgError = z.object({ code: z.string(), severity: z.string().optional() });

// A dependency that is down or restarting is not a bug: 503 with Retry-After tells clients
// (and load balancers) to come back, and keeps 500 for real faults.
const UNAVAILABLE_CODES = new Set([
  ...NETWORK_ERROR_CODES,
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT',
  '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08004', '08006',
]);

function toResponse(error: unknown, ctx: RequestContext): Response {
  if (error instanceof HttpError) return errorResponse(error.status, error.code, error.message, error.headers, error.details);
  const pg = pgError.safeParse(error);
  if ((pg.success && UNAVAILABLE_CODES.has(pg.data.code)) || isRedisUnavailable(error)) {
    ctx.log.warn({ err: error }, 'a dependency is unavailable');
    return errorResponse(503, 'unavailable', 'the service is temporarily unavailable; try again shortly', { 'Retry-After': '5' });
  }
  const mapped = pg.success ? CLIENT_SQLSTATES[pg.data.code] : undefined;
  if (mapped) {
    ctx.log.warn({ err: error }, 'database rejected a value that validation let through');
    return errorResponse(mapped[0], mapped[1], mapped[1] === 'conflict' ? 'the request conflicts with the current state' : 'a value in the request is not valid');
  }
  ctx.log.error({ err: error }, 'unhandled error in route handler');
  return errorResponse(500, 'internal', `internal error (request id ${ctx.requestId})`);
}

function rateHeaders(result: RateLimitResult | null): Record<string, string> {
  if (!result) return {};
  return { 'X-RateLimit-Limit': String(result.limit), 'X-RateLimit-Remaining': String(result.remaining) };
}

export function route(name: string, handler: (args: HandlerArgs) => Promise<Response>, options: RouteOptions = {}): RouteHandler {
  return async (req, context) => {
    const ctx = createContext(req, name);
    let response: Response;
    let limit: RateLimitResult | null = null;
    try {
      if (options.rateLimit !== false) limit = await limitIp(ctx.ip);
      response = await handler({ req, ctx, params: context?.params ?? Promise.resolve({}) });
    } catch (error) {
      response = toResponse(error, ctx);
    }
    // Rebuild so headers are mutable whatever the handler returned.
    const headers = new Headers(response.headers);
    for (const [k, v] of Object.entries(API_SECURITY_HEADERS)) if (!headers.has(k)) headers.set(k, v);
    for (const [k, v] of Object.entries(corsHeaders(req))) headers.set(k, v);
    for (const [k, v] of Object.entries(rateHeaders(limit))) headers.set(k, v);
    headers.set('X-Request-Id', ctx.requestId);
    const final = new Response(response.body, { status: response.status, statusText: response.statusText, headers });

    const seconds = (performance.now() - ctx.startedAt) / 1000;
    recordRequest(name, req.method, final.status, seconds);
    const line = { method: req.method, path: new URL(req.url).pathname, status: final.status, ms: Math.round(seconds * 1000), ip: ctx.ip };
    if (final.status >= 500) ctx.log.error(line, 'request failed');
    else ctx.log.info(line, 'request');
    return final;
  };
}
