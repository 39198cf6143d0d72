import { metricsRegistry } from '@/lib/metrics';
import { route } from '@/lib/http';

export const dynamic = 'force-dynamic';

/** Prometheus scrape endpoint of the web service (collab-server and worker have their own). */
export const GET = route(
  'metrics',
  async () => {
    const registry = metricsRegistry();
    return new Response(await registry.metrics(), { status: 200, headers: { 'Content-Type': registry.contentType } });
  },
  { rateLimit: false },
);
