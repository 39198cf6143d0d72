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
