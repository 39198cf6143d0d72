/**
 * PGlite over the PostgreSQL wire protocol on a loopback socket, safe for several clients.
 *
 * PGlite is ONE backend session. A socket server that forwards each protocol message as it
 * arrives lets two clients' extended-protocol sequences interleave (A: Parse, B: Parse,
 * A: Bind…), and they clobber each other's unnamed statement and portal ("portal "" does not
 * exist"). This server forwards a client's messages up to and including its Sync (or a simple
 * Query) as one unit while holding a lock, and keeps that lock for the whole of a client's
 * transaction, so each client sees the session as if it were its own. A client that
 * disconnects mid-transaction is rolled back.
 *
 * Clients must not use named prepared statements (they would share one namespace):
 * lib/db/client.ts turns them off for embedded URLs.
 */
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const GSSENC_REQUEST = 80877104;
/**
 * Messages that end a unit: Sync and simple Query (the backend answers with ReadyForQuery),
 * Terminate, and Flush — a client that sends Parse/Describe/Flush waits for the parameter
 * types before it sends Bind/Execute/Sync, so a Flush-ended unit keeps the session (see run).
 */
const UNIT_END = new Set(['S', 'Q', 'X', 'H']);

class SessionLock {
  private holder: object | null = null;
  private waiters: Array<{ who: object; resolve: () => void }> = [];

  async acquire(who: object): Promise<void> {
    if (this.holder === who) return;
    if (this.holder === null) {
      this.holder = who;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push({ who, resolve }));
  }

  release(who: object): void {
    if (this.holder !== who) return;
    const next = this.waiters.shift();
    this.holder = next ? next.who : null;
    next?.resolve();
  }

  holds(who: object): boolean {
    return this.holder === who;
  }
}

export interface PgliteServer {
  port: number;
  stop(): Promise<void>;
}

export async function startPgliteServer(db: PGlite, options: { host?: string; port?: number } = {}): Promise<PgliteServer> {
  await db.waitReady;
  const lock = new SessionLock();
  const sockets = new Set<net.Socket>();

  async function run(owner: object, socket: net.Socket, unit: Uint8Array, endsWith: string): Promise<void> {
    await lock.acquire(owner);
    try {
      await db.runExclusive(() =>
        db.execProtocolRawStream(unit, {
          onRawData: (data: Uint8Array) => {
            if (!socket.destroyed) socket.write(Buffer.from(data));
          },
        }),
      );
    } finally {
      // Hold the session across a transaction, and between a Flush and the Sync that completes
      // that statement: no other client may run in between.
      if (endsWith !== 'H' && !db.isInTransaction()) lock.release(owner);
    }
  }

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const owner = {};
    let buffer: Buffer = Buffer.alloc(0);
    let started = false;
    let pending: Buffer[] = [];
    let chain: Promise<void> = Promise.resolve();
    const enqueue = (unit: Buffer, endsWith: string) => {
      chain = chain
        .then(() => run(owner, socket, unit, endsWith))
        .catch(() => {
          socket.destroy();
        });
    };

    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      for (;;) {
        if (!started) {
          if (buffer.length < 8) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          const code = buffer.readInt32BE(4);
          const message = buffer.subarray(0, length);
          buffer = buffer.subarray(length);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            socket.write('N'); // no TLS on a loopback socket
            continue;
          }
          if (code === CANCEL_REQUEST) {
            socket.end();
            return;
          }
          started = true;
          enqueue(Buffer.from(message), 'startup');
          continue;
        }
        if (buffer.length < 5) return;
        const length = 1 + buffer.readInt32BE(1);
        if (buffer.length < length) return;
        const type = String.fromCharCode(buffer[0]);
        pending.push(Buffer.from(buffer.subarray(0, length)));
        buffer = buffer.subarray(length);
        if (type === 'X') {
          pending = [];
          socket.end();
          return;
        }
        if (UNIT_END.has(type)) {
          enqueue(Buffer.concat(pending), type);
          pending = [];
        }
      }
    });

    const cleanup = () => {
      sockets.delete(socket);
      chain = chain.then(async () => {
        if (!lock.holds(owner)) return;
        try {
          if (db.isInTransaction()) await db.exec('ROLLBACK');
        } finally {
          lock.release(owner);
        }
      });
    };
    socket.on('close', cleanup);
    socket.on('error', () => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
