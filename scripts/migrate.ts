/** `npm run migrate`: apply pending migrations to DATABASE_URL and say which. */
import { loadConfig } from '../lib/config';
import { createDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';

const url = loadConfig().DATABASE_URL;
if (!url) {
  process.stderr.write('koma: set DATABASE_URL to migrate a database (npm start migrates the embedded one itself).\n');
  process.exit(2);
}
const sql = createDb(url, { max: 1 });
const { applied } = await migrate(sql);
await sql.end();
process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'up to date\n');
