/**
 * `npm run start:web`: the Next.js app (studio + HTTP API) as production runs it.
 * Applies migrations first (every service does; an advisory lock makes it safe), then runs
 * `next start` (or `next dev` with --dev) in the foreground, forwarding signals.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ConfigError, loadConfig } from '../lib/config';
import { createDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';
import { exitWithParent } from '../lib/process';

const root = path.resolve(import.meta.dirname, '..');

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`koma: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (!config.DATABASE_URL) {
    process.stderr.write('koma: DATABASE_URL is not set: run `npm start` for the embedded database, or set DATABASE_URL.\n');
    process.exit(1);
  }
  const sql = createDb(config.DATABASE_URL, { max: 1 });
  await migrate(sql);
  await sql.end();
  exitWithParent();

  const mode = process.argv.includes('--dev') ? 'dev' : 'start';
  const child = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), mode, '-p', String(config.PORT), '-H', '0.0.0.0'], {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', KOMA_SERVICE: 'web' },
    stdio: 'inherit',
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

void main();
