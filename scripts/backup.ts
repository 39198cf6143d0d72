/**
 * `npm run backup [-- --out file]`: a logical backup of DATABASE_URL (accounts, projects,
 * documents, assets, generations, audit log) to a gzip'd file. With DATABASE_URL unset it
 * backs up the embedded database under DATA_DIR (stop `npm start` first: PGlite has one owner).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db/client';
import { backupToFile } from '../lib/db/backup';
import { startEmbeddedPostgres } from '../lib/db/embedded';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const config = loadConfig();
const out = path.resolve(values.out ?? `koma-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl.gz`);
const embedded = config.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'pglite') });
const sql = createDb(config.DATABASE_URL ?? embedded!.url, { max: 2 });
try {
  const counts = await backupToFile(sql, out);
  process.stdout.write(`backup written to ${out}: ${JSON.stringify(counts)}\n`);
} finally {
  await sql.end();
  await embedded?.stop();
}
