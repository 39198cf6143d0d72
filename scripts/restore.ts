/**
 * `npm run restore -- --in file`: restore a backup into an empty database (DATABASE_URL, or
 * the embedded one under DATA_DIR). Migrates first; refuses a non-empty target; all or nothing.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';
import { BackupError, restoreFromFile } from '../lib/db/backup';
import { startEmbeddedPostgres } from '../lib/db/embedded';

const { values } = parseArgs({ options: { in: { type: 'string' } } });
if (!values.in) {
  process.stderr.write('koma: usage: npm run restore -- --in <backup file>\n');
  process.exit(2);
}
const config = loadConfig();
const embedded = config.DATABASE_URL ? null : await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'pglite') });
const sql = createDb(config.DATABASE_URL ?? embedded!.url, { max: 2 });
try {
  await migrate(sql);
  const counts = await restoreFromFile(sql, path.resolve(values.in));
  process.stdout.write(`restored: ${JSON.stringify(counts)}\n`);
} catch (error) {
  process.stderr.write(`koma: ${error instanceof BackupError ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await sql.end();
  await embedded?.stop();
}
