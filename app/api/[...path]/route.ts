import { notFound, preflight, route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/**
 * Any /api path no route handles: a JSON 404 in the API's error format (instead of Next's HTML
 * page), so clients and fuzzers always get `{error:{code,message}}`. Specific routes win over
 * this catch-all in Next's matching.
 */
const unknown = route('unknown', async ({ req }) => {
  throw notFound(`no API endpoint at ${req.method} ${new URL(req.url).pathname}; see /api/openapi.json`);
});

export const GET = unknown;
export const POST = unknown;
export const PUT = unknown;
export const PATCH = unknown;
export const DELETE = unknown;
export const OPTIONS = preflight;
