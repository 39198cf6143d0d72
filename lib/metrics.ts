import { timingSafeEqual } from 'node:crypto';
import { Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One Prometheus registry per process. Each service registers its own counters here and
 * exposes `registry.metrics()` on its /metrics endpoint.
 */
const globalForMetrics = globalThis as unknown as { __komaRegistry?: Registry };

export function metricsRegistry(): Registry {
  if (!globalForMetrics.__komaRegistry) {
    const registry = new Registry();
    registry.setDefaultLabels({ service: process.env.KOMA_SERVICE ?? 'koma' });
    collectDefaultMetrics({ register: registry });
    globalForMetrics.__komaRegistry = registry;
  }
  return globalForMetrics.__komaRegistry;
}

/**
 * May this request read /metrics? With no token configured the endpoints are open (a private
 * network, `npm start` on a laptop); with METRICS_TOKEN set, only `Authorization: Bearer <token>`.
 * Metrics name routes, queue depths and error rates: worth keeping from the public internet.
 */
export function metricsAuthorized(authorization: string | null | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const expected = Buffer.from(`Bearer ${token}`);
  const given = Buffer.from(authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
