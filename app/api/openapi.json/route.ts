import { json, preflight, route } from '@/lib/http';
import { openApiDocument } from '@/lib/openapi/document';

export const dynamic = 'force-dynamic';

let cached: unknown;

export const GET = route('openapi', async () => {
  cached ??= openApiDocument();
  return json(cached, 200, { 'Cache-Control': 'public, max-age=300' });
});

export const OPTIONS = preflight;
