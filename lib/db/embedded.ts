import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite served on a loopback socket, so every service uses the same postgres.js code it
 * uses against a real PostgreSQL. `dataDir` undefined → in memory (tests).
 */
export async function startEmbeddedPostgres(options: { dataDir?: string; port?: number; maxConnections?: number } = {}): Promise<EmbeddedPostgres> {
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = path.resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true });
  }
  const pg = await PGlite.create(dataDir ? { dataDir } : {});
  const server = new PGLiteSocketServer({
    db: pg,
    host: '127.0.0.1',
    port: options.port ?? 0,
    // Each service keeps a pool; the socket server must accept all of them (STACK.md gotcha 3).
    maxConnections: options.maxConnections ?? 64,
  });
  await server.start();
  const conn = server.getServerConn(); // "127.0.0.1:<port>"
  const port = Number(conn.split(':').pop());
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      await pg.close();
    },
  };
}
