/**
 * `npm start`: the whole product on one machine with embedded defaults.
 * - DATABASE_URL unset → PGlite under DATA_DIR/pglite, served on a loopback socket.
 * - REDIS_URL unset → a private redis-server with its files under DATA_DIR/redis.
 * Then migrations, a production build of the web app if there is none, and the three services
 * (web, collab-server, one worker) as child processes. Ctrl-C stops them all, then the
 * embedded services; a service that dies takes the others down (no half-running product).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from '../lib/config';
import { jwtSecret } from '../lib/auth/secret';
import { createDb } from '../lib/db/client';
import { migrate } from '../lib/db/migrate';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../lib/db/embedded';
import { MissingBinaryError, startEmbeddedRedis, type EmbeddedRedis } from '../lib/redis/embedded';

const root = path.resolve(import.meta.dirname, '..');
const dev = process.argv.includes('--dev');

function fail(message: string): never {
  process.stderr.write(`koma: ${message}\n`);
  process.exit(1);
}

function prefixLines(name: string, stream: NodeJS.ReadableStream, out: NodeJS.WriteStream): void {
  let buffer = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffer += chunk;
    let index: number;
    while ((index = buffer.indexOf('\n')) >= 0) {
      out.write(`[${name}] ${buffer.slice(0, index)}\n`);
      buffer = buffer.slice(index + 1);
    }
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

/** Folders whose code goes into the web build; a build older than any of them is rebuilt. */
const WEB_SOURCES = ['app', 'lib', 'schema', 'agents', 'queue', 'public', 'package-lock.json', 'next.config.ts', 'tsconfig.json'];

async function newestMtime(target: string): Promise<number> {
  const info = await stat(target).catch(() => null);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of await readdir(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    newest = Math.max(newest, await newestMtime(path.join(target, entry.name)));
  }
  return newest;
}

/** `npm start` after a `git pull` must not serve yesterday's build. */
async function buildIsStale(): Promise<boolean> {
  // A private copy of a build made beforehand (bench:web, next.config.ts distDir) is served as it is.
  if (process.env.KOMA_NEXT_DIST_DIR) return false;
  const buildId = path.join(root, '.next/BUILD_ID');
  if (!existsSync(buildId)) return true;
  const built = (await stat(buildId)).mtimeMs;
  for (const source of WEB_SOURCES) {
    if ((await newestMtime(path.join(root, source))) > built) return true;
  }
  return false;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  const stops: Array<() => Promise<void>> = [];
  let embeddedPg: EmbeddedPostgres | undefined;
  let embeddedRedis: EmbeddedRedis | undefined;
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', KOMA_PARENT_PID: String(process.pid) };

  if (!config.DATABASE_URL) {
    embeddedPg = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'pglite') });
    env.DATABASE_URL = embeddedPg.url;
    stops.push(() => embeddedPg!.stop());
    process.stdout.write(`koma: embedded PostgreSQL (PGlite) at ${embeddedPg.url}, data in ${path.join(config.DATA_DIR, 'pglite')}\n`);
  }
  if (!config.REDIS_URL) {
    try {
      embeddedRedis = await startEmbeddedRedis({ dataDir: path.join(config.DATA_DIR, 'redis') });
    } catch (error) {
      if (error instanceof MissingBinaryError) fail(error.message);
      throw error;
    }
    env.REDIS_URL = embeddedRedis.url;
    stops.unshift(() => embeddedRedis!.stop());
    process.stdout.write(`koma: private redis-server at ${embeddedRedis.url}\n`);
  }
  env.JWT_SECRET = jwtSecret();

  const sql = createDb(env.DATABASE_URL!, { max: 2 });
  const { applied } = await migrate(sql);
  await sql.end();
  if (applied.length) process.stdout.write(`koma: applied migrations ${applied.join(', ')}\n`);

  const children = new Map<string, ChildProcess>();
  let stopping = false;

  async function shutdown(code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const killTimer = setTimeout(() => child.kill('SIGKILL'), 8_000);
            child.once('exit', () => {
              clearTimeout(killTimer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    for (const stop of stops) await stop().catch(() => {});
    process.exit(code);
  }
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  if (!dev) {
    const copyAssets = path.join(root, 'scripts/copy-tldraw-assets.ts');
    if (existsSync(copyAssets)) await run(process.execPath, ['--import', 'tsx', copyAssets], env);
    if (await buildIsStale()) {
      process.stdout.write('koma: building the web app (about a minute; again only when the code changes)…\n');
      const code = await run(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], env);
      if (code !== 0) {
        await shutdown(code);
        return;
      }
    }
  }

  const services: Array<[string, string[]]> = [
    ['web', ['--import', 'tsx', 'scripts/start-web.ts', ...(dev ? ['--dev'] : [])]],
    ['collab', ['--import', 'tsx', 'collab-server/main.ts']],
    ['worker', ['--import', 'tsx', 'queue/worker-main.ts']],
  ];
  for (const [name, args] of services) {
    const child = spawn(process.execPath, args, {
      cwd: root,
      env: { ...env, KOMA_SERVICE: name },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    prefixLines(name, child.stdout!, process.stdout);
    prefixLines(name, child.stderr!, process.stderr);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      process.stderr.write(`koma: ${name} stopped (${signal ?? `exit ${code}`}); stopping everything\n`);
      void shutdown(code || 1);
    });
    children.set(name, child);
  }
  process.stdout.write(
    `koma: web on http://localhost:${config.PORT}, collab-server on ws://localhost:${config.COLLAB_PORT}, one worker. Ctrl-C stops everything.\n`,
  );
}

main().catch((error: unknown) => fail(error instanceof Error ? error.stack ?? error.message : String(error)));
