/**
 * The collab-server's own view, from its Prometheus endpoint (`GET /metrics` on the WebSocket
 * port): time from receiving an update to acknowledging it (which includes the PostgreSQL commit)
 * and rows per group-commit INSERT. Read before and after the measured window; the difference
 * says how much of the clients' ack latency is the server's work and how much is waiting — in
 * the server's event loop, in the sockets, or in the generator.
 */
export interface CollabCounters {
  ackSeconds: number;
  acks: number;
  batchRows: number;
  batches: number;
}

function metric(text: string, name: string): number {
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
}

/** The collab-server's Prometheus text (`GET /metrics` on its WebSocket port), or null. */
async function scrape(collabWsUrl: string, timeoutMs: number): Promise<string | null> {
  try {
    const res = await fetch(`${collabWsUrl.replace(/^ws/, 'http').replace(/\/$/, '')}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

export async function readCollabCounters(collabWsUrl: string): Promise<CollabCounters | null> {
  const text = await scrape(collabWsUrl, 10_000);
  if (text === null) return null;
  return {
    ackSeconds: metric(text, 'koma_collab_durable_ack_seconds_sum'),
    acks: metric(text, 'koma_collab_durable_ack_seconds_count'),
    batchRows: metric(text, 'koma_collab_group_commit_batch_size_sum'),
    batches: metric(text, 'koma_collab_group_commit_batch_size_count'),
  };
}

/**
 * What the collab-server holds, sampled with RSS: open documents and connections, and V8's heap
 * in use. They tell growing RSS apart: more documents open (data the run added), a growing heap
 * with the same documents (held memory), or neither (V8 keeping freed pages).
 */
export async function readCollabGauges(collabWsUrl: string): Promise<Record<'documents' | 'connections' | 'heapUsedMb', number> | null> {
  const text = await scrape(collabWsUrl, 5_000);
  if (text === null) return null;
  return {
    documents: metric(text, 'koma_collab_loaded_documents'),
    connections: metric(text, 'koma_collab_connections'),
    heapUsedMb: metric(text, 'nodejs_heap_size_used_bytes') / 2 ** 20,
  };
}

/** Mean server-side ack (ms) and rows per INSERT between two readings (NaN when unknown). */
export function collabWindow(before: CollabCounters | null, after: CollabCounters | null): { ackMeanMs: number; rowsPerInsert: number } {
  if (!before || !after) return { ackMeanMs: Number.NaN, rowsPerInsert: Number.NaN };
  return {
    ackMeanMs: ((after.ackSeconds - before.ackSeconds) / (after.acks - before.acks)) * 1000,
    rowsPerInsert: (after.batchRows - before.batchRows) / (after.batches - before.batches),
  };
}
