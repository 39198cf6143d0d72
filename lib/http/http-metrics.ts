/** HTTP metrics of the web service, registered once in the process-wide registry. */
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics';

function counter(): Counter<'route' | 'method' | 'status'> {
  const registry = metricsRegistry();
  const existing = registry.getSingleMetric('koma_http_requests_total');
  if (existing) return existing as Counter<'route' | 'method' | 'status'>;
  return new Counter({
    name: 'koma_http_requests_total',
    help: 'HTTP API requests by route, method and status',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
}

function histogram(): Histogram<'route' | 'method'> {
  const registry = metricsRegistry();
  const existing = registry.getSingleMetric('koma_http_request_duration_seconds');
  if (existing) return existing as Histogram<'route' | 'method'>;
  return new Histogram({
    name: 'koma_http_request_duration_seconds',
    help: 'HTTP API request duration',
    labelNames: ['route', 'method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

export function recordRequest(route: string, method: string, status: number, seconds: number): void {
  counter().inc({ route, method, status: String(status) });
  histogram().observe({ route, method }, seconds);
}
