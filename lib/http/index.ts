/** The HTTP toolkit every route handler uses. See handler.ts for the shape of a route. */
export { route, json, noContent, errorResponse, type HandlerArgs, type RouteHandler } from './handler';
export { HttpError, badRequest, unauthorized, forbidden, notFound, conflict, tooManyRequests } from './errors';
export { readJson, readOptionalJson, readJsonOrForm, readParams, readQuery, parseWith, plainText, SMALL_BODY_BYTES, uuidParam, looksBinary } from './validate';
export { requireUser, bearerToken, type AuthUser } from './auth';
export { limitIp, limitGenerations, hitRateLimit } from './rate-limit';
export { preflight, corsHeaders } from './cors';
export type { RequestContext } from './context';
