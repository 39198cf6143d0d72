/**
 * The whole product, started exactly as `npm start` starts it (embedded PGlite, private
 * redis-server, web + collab-server + worker as child processes), on free ports and a fresh
 * data directory. For end-to-end tests and benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/net';

export interface RunningProduct {
  baseUrl: string;
  collabUrl: string;
  dataDir: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../..');

export async function startProduct(options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunningProduct> {
  const port = await freePort();
  const collabPort = await freePort();
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'koma-product-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'COLLAB_PUBLIC_URL', 'COLLAB_INTERNAL_URL']) delete env[key];
  Object.assign(env, {
    PORT: String(port),
    COLLAB_PORT: String(collabPort),
    DATA_DIR: dataDir,
    WORKER_HEALTH_PORT: '0',
    CORS_ORIGINS: `http://localhost:${port},http://127.0.0.1:${port}`,
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 240_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the product exited during start-up (code ${child.exitCode}):\n${log.slice(-4000)}`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the product did not become healthy in time:\n${log.slice(-4000)}`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }

  return {
    baseUrl,
    collabUrl: `ws://127.0.0.1:${collabPort}`,
    dataDir,
    process: child,
    output: () => log,
    async stop() {
      if (child.exitCode === null) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGINT');
        });
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
