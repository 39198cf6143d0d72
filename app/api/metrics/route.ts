import { loadConfig } from '@/lib/config';
import { metricsAuthorized, metricsRegistry } from '@/lib/metrics';
import { route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** Prometheus scrape endpoint of the web service (collab-server and worker have their own). */
export const GET = route(
  'metrics',
  async ({ req }) => {
    if (!metricsAuthorized(req.headers.get('authorization'), loadConfig().METRICS_TOKEN)) {
      return Response.json({ error: { code: 'unauthorized', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' } }, { status: 401 });
    }
    const registry = metricsRegistry();
    return new Response(await registry.metrics(), { status: 200, headers: { 'Content-Type': registry.contentType } });
  },
  { rateLimit: false },
);
