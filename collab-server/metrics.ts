/**
 * Prometheus metrics of the collab-server, registered once per process in the shared registry
 * (lib/metrics.ts). Gauges read live values from every server started in this process, so two
 * instances in one test process still report correctly.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../lib/metrics';

export interface GaugeSource {
  sockets(): number;
  documentConnections(): number;
  loadedDocuments(): number;
  pendingAppends(): number;
}

const sources = new Set<GaugeSource>();

export function registerGaugeSource(source: GaugeSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

function sum(pick: (s: GaugeSource) => number): number {
  let total = 0;
  for (const s of sources) total += pick(s);
  return total;
}

function create() {
  const registers = [metricsRegistry()];
  return {
    sockets: new Gauge({
      name: 'koma_collab_websockets',
      help: 'Open WebSocket connections',
      registers,
      collect() {
        this.set(sum((s) => s.sockets()));
      },
    }),
    connections: new Gauge({
      name: 'koma_collab_connections',
      help: 'Authenticated document connections (one socket may carry several documents)',
      registers,
      collect() {
        this.set(sum((s) => s.documentConnections()));
      },
    }),
    loadedDocs: new Gauge({
      name: 'koma_collab_loaded_documents',
      help: 'Documents loaded in memory',
      registers,
      collect() {
        this.set(sum((s) => s.loadedDocuments()));
      },
    }),
    pendingAppends: new Gauge({
      name: 'koma_collab_pending_appends',
      help: 'Updates waiting to be written to the PostgreSQL log (non-zero for long = storage trouble)',
      registers,
      collect() {
        this.set(sum((s) => s.pendingAppends()));
      },
    }),
    updates: new Counter({
      name: 'koma_collab_updates_total',
      help: 'Document updates made durable, by source (client: from a WebSocket; server: direct/server-side)',
      labelNames: ['source'] as const,
      registers,
    }),
    updateBytes: new Counter({
      name: 'koma_collab_update_bytes_total',
      help: 'Bytes of document updates made durable',
      registers,
    }),
    durableAck: new Histogram({
      name: 'koma_collab_durable_ack_seconds',
      help: 'From receiving a client update to acknowledging it (includes the PostgreSQL write)',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    batchSize: new Histogram({
      name: 'koma_collab_group_commit_batch_size',
      help: 'Updates written per INSERT (group commit)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers,
    }),
    storeFailures: new Counter({
      name: 'koma_collab_store_failures_total',
      help: 'Failed storage operations (each failed attempt; alert when this grows)',
      labelNames: ['op'] as const,
      registers,
    }),
    storeGaveUp: new Counter({
      name: 'koma_collab_store_gave_up_total',
      help: 'Client updates refused (never acknowledged) because PostgreSQL stayed unavailable',
      registers,
    }),
    compactionSeconds: new Histogram({
      name: 'koma_collab_compaction_seconds',
      help: 'Time to fold the update log of one document into its snapshot',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    loadSeconds: new Histogram({
      name: 'koma_collab_load_seconds',
      help: 'Time to load a document (snapshot + log tail)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    rejections: new Counter({
      name: 'koma_collab_rejections_total',
      help: 'Connections or messages refused, by reason (auth failures and limits)',
      labelNames: ['reason'] as const,
      registers,
    }),
    droppedWrites: new Counter({
      name: 'koma_collab_dropped_writes_total',
      help: 'Writes dropped because the connection is read-only',
      registers,
    }),
    revocations: new Counter({
      name: 'koma_collab_revocations_total',
      help: 'Membership revocations received and sockets closed because of them',
      labelNames: ['event'] as const,
      registers,
    }),
  };
}

export type CollabMetrics = ReturnType<typeof create>;

const globalForMetrics = globalThis as unknown as { __komaCollabMetrics?: CollabMetrics };

export function collabMetrics(): CollabMetrics {
  globalForMetrics.__komaCollabMetrics ??= create();
  return globalForMetrics.__komaCollabMetrics;
}
