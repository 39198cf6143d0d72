/**
 * The embedded database under concurrency: several pools (as web, collab-server and worker
 * each keep one) running interleaved statements and transactions against one PGlite session.
 */
import { describe, expect, it } from 'vitest';
import { createDb } from '../../lib/db/client';
import { startEmbeddedPostgres } from '../../lib/db/embedded';

describe('embedded PGlite socket server', () => {
  it('keeps concurrent clients, parameterised statements and transactions apart', async () => {
    const embedded = await startEmbeddedPostgres();
    const pools = [createDb(embedded.url, { max: 4 }), createDb(embedded.url, { max: 4 }), createDb(embedded.url, { max: 4 })];
    try {
      await pools[0]`CREATE TABLE counters (pool int, n int, label text)`;
      const work = pools.flatMap((sql, pool) =>
        Array.from({ length: 20 }, async (_, i) => {
          if (i % 4 === 0) {
            // A transaction that rolls back must leave nothing behind, whatever runs beside it.
            await sql
              .begin(async (tx) => {
                await tx`INSERT INTO counters VALUES (${pool}, ${i}, ${'rolled back'})`;
                throw new Error('rollback on purpose');
              })
              .catch(() => {});
            return;
          }
          if (i % 4 === 1) {
            await sql.begin(async (tx) => {
              await tx`INSERT INTO counters VALUES (${pool}, ${i}, ${'tx'})`;
              const [{ c }] = await tx<{ c: number }[]>`SELECT count(*)::int AS c FROM counters WHERE pool = ${pool} AND n = ${i}`;
              expect(c).toBe(1);
            });
            return;
          }
          const [row] = await sql<{ echoed: string }[]>`SELECT ${`p${pool}-${i}`}::text AS echoed`;
          expect(row.echoed).toBe(`p${pool}-${i}`);
          await sql`INSERT INTO counters VALUES (${pool}, ${i}, ${'plain'})`;
        }),
      );
      await Promise.all(work);
      const rows = await pools[1]<{ label: string; c: number }[]>`SELECT label, count(*)::int AS c FROM counters GROUP BY label ORDER BY label`;
      expect(Object.fromEntries(rows.map((r) => [r.label, r.c]))).toEqual({ plain: 30, tx: 15 });
    } finally {
      await Promise.all(pools.map((p) => p.end({ timeout: 2 })));
      await embedded.stop();
    }
  });

  it('rolls back the transaction of a client that disconnects in the middle of it', async () => {
    const embedded = await startEmbeddedPostgres();
    const a = createDb(embedded.url, { max: 1 });
    const b = createDb(embedded.url, { max: 1 });
    try {
      await a`CREATE TABLE t (v int)`;
      const reserved = await a.reserve();
      await reserved`BEGIN`;
      await reserved`INSERT INTO t VALUES (1)`;
      // b waits for the session while a holds its transaction…
      const pending = b<{ c: number }[]>`SELECT count(*)::int AS c FROM t`;
      // …and a's connection dies without COMMIT.
      await a.end({ timeout: 0 });
      const [{ c }] = await pending;
      expect(c).toBe(0);
    } finally {
      await b.end({ timeout: 2 });
      await embedded.stop();
    }
  });
});
