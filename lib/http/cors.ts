/**
 * CORS from the allow-list in config (`CORS_ORIGINS`, exact origins, `*` allows any without
 * credentials). Origins not on the list get no CORS headers, so browsers block the read.
 */
import { loadConfig } from '../config';

const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Request-Id';
const EXPOSED_HEADERS = 'Retry-After, X-Request-Id, X-RateLimit-Limit, X-RateLimit-Remaining';

export function corsHeaders(req: Request, allowList: readonly string[] = loadConfig().CORS_ORIGINS): Record<string, string> {
  const origin = req.headers.get('origin');
  if (!origin) return {};
  if (allowList.includes(origin)) {
    return {
      'Access-Control-Allow-Origin': origin,
      // The refresh cookie travels only to listed origins.
      'Access-Control-Allow-Credentials': 'true',
      'Access-Control-Expose-Headers': EXPOSED_HEADERS,
      Vary: 'Origin',
    };
  }
  if (allowList.includes('*')) {
    return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
  }
  return { Vary: 'Origin' };
}

/** Answer a preflight. Every route file exports `OPTIONS = preflight`. */
export function preflight(req: Request): Response {
  const headers = new Headers(corsHeaders(req));
  if (headers.has('Access-Control-Allow-Origin')) {
    headers.set('Access-Control-Allow-Methods', 'GET, POST, PATCH, PUT, DELETE, OPTIONS');
    headers.set('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    headers.set('Access-Control-Max-Age', '600');
  }
  return new Response(null, { status: 204, headers });
}
