/**
 * The `generations` table writer: one row per AI call (per attempt — retries are rows too), so
 * cost per book and failure rates can be read straight from SQL.
 */
import type { Db } from '../lib/db/client';
import type { Phase } from '../schema/phases';
import type { GenerationRecord } from './types';

export interface GenerationScope {
  projectId: string | null;
  phase: Phase;
  jobId: string | null;
}

export async function writeGenerations(sql: Db, scope: GenerationScope, rows: readonly GenerationRecord[]): Promise<void> {
  if (!rows.length) return;
  // One statement per row with clock_timestamp(): rows keep the order the calls happened in
  // (now() would give every row of a transaction the same time).
  for (const r of rows) {
    await sql`
      INSERT INTO generations (project_id, phase, job_id, provider, model, prompt_hash, input_tokens, output_tokens, images, cost_jpy, duration_ms, outcome, error, created_at)
      VALUES (${scope.projectId}, ${scope.phase}, ${scope.jobId}, ${r.provider}, ${r.model.slice(0, 200)}, ${r.promptHash},
              ${Math.max(0, Math.round(r.inputTokens))}, ${Math.max(0, Math.round(r.outputTokens))}, ${Math.max(0, Math.round(r.images))},
              ${Math.round(r.costJpy * 10_000) / 10_000}, ${Math.max(0, Math.round(r.durationMs))}, ${r.outcome}, ${r.error ? r.error.slice(0, 2000) : null}, clock_timestamp())`;
  }
}

/** A recorder that writes each row as it happens (for long runs, so a crash loses nothing). */
export function generationRecorder(sql: Db, scope: GenerationScope, onError?: (e: unknown) => void): { record: (row: GenerationRecord) => void; flush: () => Promise<void> } {
  let chain: Promise<void> = Promise.resolve();
  return {
    record(row) {
      chain = chain.then(() => writeGenerations(sql, scope, [row])).catch((e: unknown) => onError?.(e));
    },
    flush: () => chain,
  };
}
