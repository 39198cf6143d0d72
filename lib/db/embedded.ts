import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { startPgliteServer } from './pglite-server';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite served on a loopback socket, so every service uses the same postgres.js code it
 * uses against a real PostgreSQL. `dataDir` undefined → in memory (tests).
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number } = {}): Promise<EmbeddedPostgres> {
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = path.resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true });
  }
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  const server = await startPgliteServer(pg, { host: '127.0.0.1', port: options.port ?? 0 });
  const port = server.port;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await pg.close();
    },
  };
}
