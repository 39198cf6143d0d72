/**
 * The Koma collab-server: Hocuspocus 4 behind our own HTTP + WebSocket front door.
 *
 * Why our own front door (instead of Hocuspocus' Server): every frame passes through
 * `onSocketMessage` first, so rate limits, the pre-authentication budget and the message size
 * cap act before Hocuspocus decodes anything, each with a clear close reason that is logged;
 * /health and /metrics share the port.
 *
 * Where an update is made durable: `beforeHandleMessage` (awaited by Hocuspocus before it
 * applies a message, see Connection.processMessages) validates the update and waits for the
 * group-commit INSERT into `doc_updates`. Only then does Hocuspocus apply it and send the
 * SyncStatus ack. Server-side changes (direct connections) are caught by a synchronous
 * Y.Doc 'update' listener and appended in the background; `transact` waits for them.
 * Updates that came from another instance through Redis were logged by that instance.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hocuspocus, type Connection, type Document, type Extension } from '@hocuspocus/server';
import { Redis as RedisExtension } from '@hocuspocus/extension-redis';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import * as Y from 'yjs';
import type { Db } from '../lib/db/client';
import { inspectUpdate, loadDoc, applyStoredDoc, parseDocName } from '../lib/db/docstore';
import { logger as rootLogger } from '../lib/log';
import { metricsAuthorized, metricsRegistry } from '../lib/metrics';
import { authorize, CollabRejection, type Authorization } from './auth';
import { Close, defaultLimits, TokenBucket, type CollabLimits } from './limits';
import { collabMetrics, registerGaugeSource } from './metrics';
import { startPresence } from './presence';
import { AwarenessOwners } from './awareness';
import { UpdateGuard } from './guard';
import { inspectFrame, parseClientMessage } from './protocol';
import { subscribeRevocations, type Revocation } from './revocation';
import { DurableStore, StoreUnavailableError, withTimeout } from './store';
import { logRedisOutages, type ErrorEmitter } from '../lib/redis/unavailable';

export interface CollabServerOptions {
  sql: Db;
  /** HS256 secret of collab tokens (lib/auth/secret.ts). */
  secret: string;
  /** Redis for scale-out and revocations; without it the instance runs alone. */
  redisUrl?: string;
  port?: number;
  host?: string;
  instanceId?: string;
  limits?: Partial<CollabLimits>;
  storeDeadlineMs?: number;
  compactEveryUpdates?: number;
  /**
   * Re-check the memberships behind live connections this often (ms). Redis pub/sub is
   * at-most-once: a revocation published while this instance was disconnected from Redis
   * would be lost, so this sweep bounds how long stale rights can survive. 0 disables it.
   */
  membershipSweepMs?: number;
  /** Bearer token required on /metrics (unset → open). */
  metricsToken?: string;
  log?: Logger;
}

export interface CollabServer {
  port: number;
  url: string;
  hocuspocus: Hocuspocus<ConnContext>;
  store: DurableStore;
  /** Change a document from the server; resolves once the change is durable. */
  transact(documentName: string, change: (doc: Y.Doc) => void): Promise<void>;
  close(): Promise<void>;
}

interface SocketState {
  id: string;
  ws: WebSocket;
  ip: string;
  messages: TokenBucket;
  bytes: TokenBucket;
  unauthBytes: number;
  unauthMessages: number;
  /** Established document connections on this socket. */
  docs: Map<string, Authorization>;
  /** Authorised, still loading (name → expiry): counted so parallel opens cannot pass the limit. */
  reserved: Map<string, number>;
  closing: boolean;
}

export interface ConnContext {
  socket?: SocketState;
  auth?: Authorization;
  /** When authorisation started: a revocation after this instant voids it. */
  authStartedAt?: number;
}

interface DocRuntime {
  approxBytes: number;
  /** Tries each client update on a shadow before it is logged (see guard.ts). */
  guard: UpdateGuard;
  detach: () => void;
}

const REVOCATION_RACE_WINDOW_MS = 10_000;

export async function startCollabServer(options: CollabServerOptions): Promise<CollabServer> {
  const limits: CollabLimits = { ...defaultLimits, ...options.limits };
  const instanceId = options.instanceId ?? `collab-${randomUUID().slice(0, 8)}`;
  const log = (options.log ?? rootLogger()).child({ component: 'collab', instance: instanceId });
  const metrics = collabMetrics();
  const sql = options.sql;
  const store = new DurableStore({
    sql,
    log,
    clientDeadlineMs: options.storeDeadlineMs,
    compactEveryRows: options.compactEveryUpdates,
  });

  const sockets = new Set<SocketState>();
  /** `projectId:userId` → sockets with a document of that project open for that user. */
  const byMember = new Map<string, Set<SocketState>>();
  /** `projectId:userId` → when a revocation arrived (closes the race with in-flight auth). */
  const recentRevocations = new Map<string, number>();
  const docRuntime = new Map<string, DocRuntime>();
  const awarenessOwners = new AwarenessOwners();
  /** Connections whose current write message has been made durable (or needed nothing). */
  const durableNow = new WeakSet<Connection<ConnContext>>();
  const ackStart = new WeakMap<Connection<ConnContext>, number>();

  const memberKey = (projectId: string, userId: string) => `${projectId}:${userId}`;

  function reject(reason: string, fields: Record<string, unknown>, message: string): void {
    metrics.rejections.inc({ reason });
    log.warn({ reason, ...fields }, message);
  }

  function closeSocket(state: SocketState, close: { code: number; reason: string }, fields: Record<string, unknown> = {}): void {
    if (state.closing) return;
    state.closing = true;
    if (close.code !== Close.shuttingDown.code) reject(close.reason, { socket: state.id, ip: state.ip, ...fields }, 'closing socket');
    state.ws.close(close.code, close.reason);
    // A client that ignores the close handshake must not keep its socket.
    setTimeout(() => state.ws.terminate(), 2_000).unref();
  }

  /** Refuse a client update before it is logged or applied: close its socket, say why. */
  function refuseUpdate(context: ConnContext, documentName: string, detail: string): never {
    const fields = { doc: documentName, sub: context.auth?.identity.sub, detail };
    if (context.socket) closeSocket(context.socket, Close.invalidUpdate, fields);
    else reject(Close.invalidUpdate.reason, fields, 'update refused');
    throw new CollabRejection(Close.invalidUpdate.reason, `the update was refused: ${detail}`, Close.invalidUpdate.code);
  }

  const komaExtension: Extension<ConnContext> = {
    extensionName: 'koma',

    async onAuthenticate({ token, documentName, context, connectionConfig, socketId }) {
      const started = Date.now();
      const socket = context.socket;
      try {
        if (socket) {
          const now = Date.now();
          for (const [name, expires] of socket.reserved) if (expires < now) socket.reserved.delete(name);
        }
        if (socket && socket.docs.size + socket.reserved.size >= limits.maxDocsPerConnection) {
          throw new CollabRejection('too-many-documents', `a connection may open at most ${limits.maxDocsPerConnection} documents`, 4429);
        }
        const loaded = hocuspocus.documents.get(documentName);
        if (loaded && loaded.getConnectionsCount() >= limits.maxConnectionsPerDoc) {
          throw new CollabRejection('too-many-connections', `this document already has ${limits.maxConnectionsPerDoc} connections on this server`, 4429);
        }
        const auth = await withTimeout(authorize(sql, options.secret, token, documentName), 5_000);
        const userId = auth.identity.userId;
        if (userId) {
          const revokedAt = recentRevocations.get(memberKey(auth.projectId, userId));
          if (revokedAt !== undefined && revokedAt >= started) {
            // Close the socket rather than only refuse: a refusal is final for a provider, and a
            // demoted member must be able to come back with the new role.
            if (socket) closeSocket(socket, Close.revoked, { doc: documentName });
            throw new CollabRejection('membership-revoked', 'membership changed while connecting; reconnect');
          }
        }
        connectionConfig.readOnly = auth.access === 'read-only';
        socket?.reserved.set(documentName, Date.now() + 30_000);
        log.info({ doc: documentName, sub: auth.identity.sub, role: auth.identity.role, access: auth.access, socket: socketId }, 'authenticated');
        return { auth, authStartedAt: started };
      } catch (error) {
        if (error instanceof CollabRejection) {
          reject(error.reason, { doc: documentName.slice(0, 120), socket: socketId }, `connection refused: ${error.detail}`);
          throw error;
        }
        log.error({ err: error, doc: documentName.slice(0, 120) }, 'could not check access (database?)');
        metrics.rejections.inc({ reason: 'auth-unavailable' });
        // A refused authentication is final for a provider; an outage is not. Closing the socket
        // makes it reconnect with backoff and authenticate again once PostgreSQL answers.
        if (socket) closeSocket(socket, Close.storageUnavailable, { doc: documentName.slice(0, 120) });
        throw new CollabRejection('server-unavailable', 'could not check access; try again', 4503);
      }
    },

    async connected({ context, documentName }) {
      const { socket, auth } = context;
      if (!socket || !auth) return;
      // The pre-authentication budget bounds what waits for an answer; this one has it.
      socket.unauthBytes = 0;
      socket.unauthMessages = 0;
      socket.reserved.delete(documentName);
      socket.docs.set(documentName, auth);
      const userId = auth.identity.userId;
      if (userId) {
        const key = memberKey(auth.projectId, userId);
        let set = byMember.get(key);
        if (!set) byMember.set(key, (set = new Set()));
        set.add(socket);
        // Revoked between the membership check and now: do not let the connection live.
        const revokedAt = recentRevocations.get(key);
        if (revokedAt !== undefined && revokedAt >= (context.authStartedAt ?? 0)) closeSocket(socket, Close.revoked, { doc: documentName });
      }
    },

    async onDisconnect({ context, documentName, socketId }) {
      awarenessOwners.release(documentName, socketId);
      const { socket, auth } = context;
      if (!socket || !auth) return;
      socket.docs.delete(documentName);
      const userId = auth.identity.userId;
      if (!userId) return;
      const key = memberKey(auth.projectId, userId);
      const set = byMember.get(key);
      if (!set) return;
      if (![...socket.docs.values()].some((a) => a.projectId === auth.projectId)) set.delete(socket);
      if (set.size === 0) byMember.delete(key);
    },

    async onLoadDocument({ document, documentName }) {
      const parsed = parseDocName(documentName);
      if (!parsed) throw new CollabRejection('invalid-document', 'not a Koma document');
      const started = performance.now();
      let stored: Awaited<ReturnType<typeof loadDoc>> | undefined;
      for (let attempt = 1; ; attempt += 1) {
        try {
          stored = await withTimeout(loadDoc(sql, documentName), 10_000);
          break;
        } catch (error) {
          metrics.storeFailures.inc({ op: 'load' });
          log.error({ err: error, doc: documentName, attempt }, 'loading a document failed');
          if (attempt >= 3) throw new CollabRejection('load-failed', 'the document could not be loaded; try again', 4500);
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
      // A project's work document is seeded by the web API when the project is created. One
      // without a snapshot was never seeded: refuse it rather than let a client seed it.
      if (parsed.kind === 'work' && !stored.snapshot) {
        reject('document-not-initialised', { doc: documentName }, 'work document has no snapshot');
        throw new CollabRejection('document-not-initialised', 'this project document was never created');
      }
      try {
        applyStoredDoc(document, stored);
      } catch (error) {
        metrics.storeFailures.inc({ op: 'load' });
        log.error({ err: error, doc: documentName }, 'stored document does not apply');
        throw new CollabRejection('load-failed', 'the stored document is damaged', 4500);
      }
      metrics.loadSeconds.observe((performance.now() - started) / 1000);
      store.trackDoc(documentName, stored.updates.length, stored.tailBytes);
      const guard = new UpdateGuard(document);
      // Server-side changes (direct connections, our own code) never pass through
      // beforeHandleMessage: catch them synchronously here so `transact` can wait for them.
      const onUpdate = (update: Uint8Array, origin: unknown) => {
        const runtime = docRuntime.get(documentName);
        if (runtime) runtime.approxBytes += update.byteLength;
        guard.mirror(update);
        const source = typeof origin === 'object' && origin !== null && 'source' in origin ? (origin as { source: unknown }).source : undefined;
        if (source === 'redis') return; // logged by the instance that received it
        if (source === 'connection') {
          const connection = (origin as { connection: Connection<ConnContext> }).connection;
          if (durableNow.has(connection)) return; // logged in beforeHandleMessage
          log.warn({ doc: documentName }, 'an update from a connection was applied without passing the log; logging it now');
        }
        void store.appendServer({ docName: documentName, projectId: parsed.projectId, update });
      };
      document.on('update', onUpdate);
      docRuntime.set(documentName, {
        approxBytes: (stored.snapshot?.byteLength ?? 0) + stored.tailBytes,
        guard,
        detach: () => {
          document.off('update', onUpdate);
          guard.invalidate();
        },
      });
    },

    async beforeHandleMessage({ update: raw, connection, document, documentName, context }) {
      const message = parseClientMessage(raw);
      if (message.kind !== 'write') return;
      const started = performance.now();
      let empty: boolean;
      try {
        empty = inspectUpdate(message.update).empty;
      } catch {
        // Malformed input closes the socket (read-only ones too: Hocuspocus still decodes their
        // writes to answer them), so a broken or hostile client cannot go on sending.
        refuseUpdate(context, documentName, 'not a well-formed Yjs update');
      }
      if (connection.readOnly) {
        // Hocuspocus will not apply it; count and log it (a well-behaved client never sends one).
        if (!empty) {
          metrics.droppedWrites.inc();
          log.warn({ doc: documentName, sub: context.auth?.identity.sub }, 'write from a read-only connection dropped');
        }
        return;
      }
      if (empty) {
        durableNow.add(connection);
        return;
      }
      const runtime = docRuntime.get(documentName);
      if (runtime && runtime.approxBytes + message.update.byteLength > limits.maxDocBytes) {
        // The running estimate only grows; measure for real before refusing.
        runtime.approxBytes = Y.encodeStateAsUpdate(document).byteLength;
        if (runtime.approxBytes + message.update.byteLength > limits.maxDocBytes) {
          reject('document-too-large', { doc: documentName, bytes: runtime.approxBytes }, 'write refused: document too large');
          throw new CollabRejection('document-too-large', `the document would exceed ${limits.maxDocBytes} bytes`, 4413);
        }
      }
      const parsed = parseDocName(documentName);
      if (!parsed) throw new CollabRejection('invalid-document', 'not a Koma document');
      const problem = runtime?.guard.trial(message.update) ?? null;
      if (problem !== null) refuseUpdate(context, documentName, `does not apply to the document (${problem.slice(0, 120)})`);
      try {
        await store.appendClient({ docName: documentName, projectId: parsed.projectId, update: message.update });
      } catch (error) {
        runtime?.guard.invalidate(); // tried on the shadow, never applied to the document
        if (error instanceof StoreUnavailableError) {
          reject(error.permanent ? 'update-refused' : 'storage-unavailable', { doc: documentName }, 'update not stored, not acknowledged');
          // Close the whole socket on an outage: the provider reconnects with backoff and resends
          // what was never acknowledged (a document-level close would leave it idle for good).
          if (!error.permanent && context.socket) closeSocket(context.socket, Close.storageUnavailable, { doc: documentName });
          throw new CollabRejection(error.permanent ? 'update-refused' : 'storage-unavailable', 'the update could not be saved; it was not applied', 4503);
        }
        throw error;
      }
      durableNow.add(connection);
      ackStart.set(connection, started);
    },

    async afterHandleMessage({ connection }) {
      durableNow.delete(connection);
      const started = ackStart.get(connection);
      if (started !== undefined) {
        ackStart.delete(connection);
        metrics.durableAck.observe((performance.now() - started) / 1000);
      }
    },

    async onStoreDocument({ documentName }) {
      // Durability does not depend on this debounced hook; it is where a busy document's log
      // is folded into its snapshot, and where direct-connection changes are awaited.
      await store.flushDoc(documentName);
    },

    async beforeUnloadDocument({ documentName }) {
      // Never unload a document whose server-side changes are not durable yet.
      await store.flushDoc(documentName);
    },

    async beforeHandleAwareness({ connection, documentName, socketId, states, context }) {
      // Only client sockets are checked; updates relayed from other instances were checked there.
      if (!connection) return;
      const dropped = awarenessOwners.filter(documentName, socketId, states);
      if (dropped.length > 0) reject('awareness-impersonation', { doc: documentName, sub: context?.auth?.identity.sub, clients: dropped.slice(0, 10) }, 'awareness states for clients of another connection dropped');
    },

    async afterUnloadDocument({ documentName }) {
      if (hocuspocus.documents.has(documentName)) return; // reloaded meanwhile
      awarenessOwners.forget(documentName);
      docRuntime.get(documentName)?.detach();
      docRuntime.delete(documentName);
      store.scheduleCompaction(documentName);
      store.untrackDoc(documentName);
    },
  };

  const extensions: Extension[] = [komaExtension];
  let redisExtension: RedisExtension | undefined;
  let subscriber: Redis | undefined;
  let redisCheck: Redis | undefined;
  if (options.redisUrl) {
    // Host/port/options rather than a client object: the extension bundles its own ioredis
    // typings, which do not unify with ours.
    const url = new URL(options.redisUrl);
    redisExtension = new RedisExtension({
      identifier: instanceId,
      prefix: 'koma:collab',
      host: url.hostname,
      port: Number(url.port || 6379),
      options: {
        username: url.username ? decodeURIComponent(url.username) : undefined,
        password: url.password ? decodeURIComponent(url.password) : undefined,
        db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
        tls: url.protocol === 'rediss:' ? {} : undefined,
        maxRetriesPerRequest: null,
      },
    });
    extensions.unshift(redisExtension);
  }
  // Who is connected, for the dashboard (collab-server/presence.ts); needs the shared Redis.
  const presence = options.redisUrl ? startPresence({ redisUrl: options.redisUrl, instanceId, log }) : undefined;
  if (presence) extensions.push(presence.extension);

  const hocuspocus = new Hocuspocus<ConnContext>({
    name: instanceId,
    quiet: true,
    extensions,
    // Hocuspocus' own pre-auth bounds stay on as a backstop behind ours (see onSocketMessage).
    maxUnauthenticatedQueueSize: limits.maxUnauthBytes * 2,
    maxUnauthenticatedQueueMessages: limits.maxUnauthMessages * 2,
    maxPendingDocuments: limits.maxDocsPerConnection,
  });

  if (options.redisUrl) {
    subscriber = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
    redisCheck = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 });
    // Every connection gets a listener: without one, ioredis prints each reconnect attempt of an
    // outage on stderr. Collaboration goes on without Redis (one instance's clients meanwhile).
    const connections: [string, ErrorEmitter][] = [
      ['revocations', subscriber],
      ['health-check', redisCheck],
    ];
    if (redisExtension) connections.push(['scale-out-pub', redisExtension.pub], ['scale-out-sub', redisExtension.sub]);
    for (const [name, connection] of connections) logRedisOutages(connection, name, log);
    await subscribeRevocations(subscriber, onRevocation, (raw) => log.warn({ raw: raw.slice(0, 200) }, 'ignored an invalid revocation message'));
  }

  function onRevocation(r: Revocation): void {
    const key = memberKey(r.projectId, r.userId);
    const now = Date.now();
    recentRevocations.set(key, now);
    for (const [k, at] of recentRevocations) if (now - at > REVOCATION_RACE_WINDOW_MS) recentRevocations.delete(k);
    metrics.revocations.inc({ event: 'received' });
    const set = byMember.get(key);
    if (!set) return;
    for (const socket of [...set]) {
      metrics.revocations.inc({ event: 'socket-closed' });
      closeSocket(socket, Close.revoked, { projectId: r.projectId, userId: r.userId });
    }
    byMember.delete(key);
  }

  async function sweepMemberships(): Promise<void> {
    if (byMember.size === 0) return;
    // Judge only the sockets connected when the query is sent. One authorised while it runs was
    // checked against PostgreSQL just now, and its project or membership may not be in the
    // answer (read as "no role": it would be closed for nothing).
    const connected = new Map([...byMember].map(([key, set]) => [key, [...set]]));
    const projectIds = [...new Set([...connected.keys()].map((k) => k.split(':')[0]))];
    const rows = await withTimeout(
      sql<{ project_id: string; user_id: string; role: string }[]>`
        SELECT project_id::text AS project_id, user_id::text AS user_id, role FROM memberships WHERE project_id IN ${sql(projectIds)}`,
      5_000,
    );
    const roles = new Map(rows.map((r) => [memberKey(r.project_id, r.user_id), r.role]));
    for (const [key, sockets] of connected) {
      const set = byMember.get(key);
      if (!set) continue;
      const role = roles.get(key);
      for (const socket of sockets) {
        if (!set.has(socket)) continue;
        const stale = [...socket.docs.values()].some((a) => a.identity.userId && memberKey(a.projectId, a.identity.userId) === key && a.identity.role !== role);
        if (!stale) continue;
        metrics.revocations.inc({ event: 'sweep-closed' });
        const [projectId, userId] = key.split(':');
        closeSocket(socket, Close.revoked, { projectId, userId, via: 'sweep' });
        set.delete(socket);
      }
      if (set.size === 0) byMember.delete(key);
    }
  }
  const sweepMs = options.membershipSweepMs ?? 30_000;
  const sweepTimer =
    sweepMs > 0
      ? setInterval(() => {
          sweepMemberships().catch((error: unknown) => log.warn({ err: error }, 'membership sweep failed; will retry'));
        }, sweepMs)
      : undefined;
  sweepTimer?.unref();

  // ---- HTTP: /health, /metrics -------------------------------------------------------------
  const httpServer = http.createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/metrics') {
        if (!metricsAuthorized(req.headers.authorization, options.metricsToken)) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'unauthorized', message: 'metrics need Authorization: Bearer <METRICS_TOKEN>' } }));
          return;
        }
        const registry = metricsRegistry();
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(await registry.metrics());
        return;
      }
      if (path === '/health' || path === '/healthz') {
        const check = async (fn: () => Promise<unknown>) => {
          try {
            await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2_000))]);
            return 'ok';
          } catch {
            return 'error';
          }
        };
        const postgres = await check(() => sql`SELECT 1`);
        const redis = redisCheck ? await check(() => redisCheck!.ping()) : 'disabled';
        const ok = postgres === 'ok' && redis !== 'error';
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            status: ok ? 'ok' : 'degraded',
            postgres,
            redis,
            instance: instanceId,
            connections: hocuspocus.getConnectionsCount(),
            documents: hocuspocus.getDocumentsCount(),
            pendingAppends: store.pendingCount(),
          }),
        );
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: 'collab-server serves WebSocket, /health and /metrics' } }));
    })().catch((error: unknown) => {
      log.error({ err: error }, 'http handler failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  // ---- WebSocket front door -------------------------------------------------------------------
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxMessageBytes });
  httpServer.on('upgrade', (req, socket, head) => {
    wss.handleUpgrade(req, socket, head, (ws) => onSocket(ws, req));
  });

  function onSocket(ws: WebSocket, req: http.IncomingMessage): void {
    const state: SocketState = {
      id: randomUUID(),
      ws,
      ip: req.socket.remoteAddress ?? 'unknown',
      messages: new TokenBucket(limits.ratePerSec, limits.rateBurst),
      // Bytes are budgeted too, so a client cannot saturate the process with big frames.
      bytes: new TokenBucket(limits.maxMessageBytes * 2, limits.maxMessageBytes * 4),
      unauthBytes: 0,
      unauthMessages: 0,
      docs: new Map(),
      reserved: new Map(),
      closing: false,
    };
    sockets.add(state);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === 'string') headers.set(k, v);
      else if (Array.isArray(v)) headers.set(k, v.join(', '));
    }
    const request = new Request(`http://collab.local${req.url ?? '/'}`, { headers });
    const client = hocuspocus.handleConnection(ws, request, { socket: state });

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (state.closing) return;
      if (!isBinary) {
        closeSocket(state, Close.binaryOnly);
        return;
      }
      const bytes = toUint8Array(data);
      if (!state.messages.take(1) || !state.bytes.take(bytes.byteLength)) {
        closeSocket(state, Close.rateLimited, { limit: `${limits.ratePerSec}/s` });
        return;
      }
      // The whole frame is checked before Hocuspocus decodes it: Hocuspocus answers a malformed
      // frame by dropping one document connection (or the socket) without a counted reason.
      const frame = inspectFrame(bytes, limits.maxMessageBytes);
      if (!frame.ok) {
        closeSocket(state, Close.malformed, { detail: frame.reason, bytes: bytes.byteLength });
        return;
      }
      if (frame.kind === 'pong') return;
      // Frames for a document this socket has not opened wait in Hocuspocus' queue until it is
      // authorised: they are budgeted, even on a socket already authenticated for another one.
      const docName = frame.address.split('\0')[0];
      if (!state.docs.has(docName)) {
        state.unauthBytes += bytes.byteLength;
        state.unauthMessages += 1;
        if (state.unauthBytes > limits.maxUnauthBytes || state.unauthMessages > limits.maxUnauthMessages) {
          closeSocket(state, Close.unauthQueueFull, { bytes: state.unauthBytes, messages: state.unauthMessages });
          return;
        }
      }
      client.handleMessage(bytes);
    });
    ws.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
        reject(Close.messageTooLarge.reason, { socket: state.id, ip: state.ip, limit: limits.maxMessageBytes }, 'closing socket');
      } else {
        log.warn({ err: error, socket: state.id }, 'websocket error');
      }
    });
    ws.on('close', (code: number, reason: Buffer) => {
      sockets.delete(state);
      client.handleClose({ code, reason: reason.toString() });
    });
  }

  const unregisterGauges = registerGaugeSource({
    sockets: () => sockets.size,
    documentConnections: () => [...hocuspocus.documents.values()].reduce((n, d) => n + d.getConnectionsCount(), 0),
    loadedDocuments: () => hocuspocus.getDocumentsCount(),
    pendingAppends: () => store.pendingCount(),
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  log.info({ port, redis: Boolean(options.redisUrl) }, 'collab-server listening');

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing ??= (async () => {
      clearInterval(sweepTimer);
      httpServer.close();
      for (const s of [...sockets]) closeSocket(s, Close.shuttingDown);
      hocuspocus.closeConnections();
      // Documents unload once their last connection is gone and their changes are durable.
      const deadline = Date.now() + 10_000;
      while (hocuspocus.getDocumentsCount() > 0 && Date.now() < deadline) {
        hocuspocus.flushPendingStores();
        await new Promise((r) => setTimeout(r, 25));
      }
      for (const name of [...hocuspocus.documents.keys()]) await store.flushDoc(name);
      await Promise.race([store.close(), new Promise((r) => setTimeout(r, 10_000))]);
      await hocuspocus.hooks('onDestroy', { instance: hocuspocus });
      await presence?.close();
      wss.close();
      subscriber?.disconnect();
      redisCheck?.disconnect();
      unregisterGauges();
      log.info('collab-server stopped');
    })();
    return closing;
  }

  async function transact(documentName: string, change: (doc: Y.Doc) => void): Promise<void> {
    const connection = await hocuspocus.openDirectConnection(documentName, {});
    try {
      await connection.transact((doc: Document) => change(doc));
      await store.flushDoc(documentName);
    } finally {
      // Durable already; disconnecting waits for Redis/unload delays, which callers need not.
      void connection.disconnect().catch((error: unknown) => log.warn({ err: error, doc: documentName }, 'direct connection close failed'));
    }
  }

  return { port, url: `ws://127.0.0.1:${port}`, hocuspocus, store, transact, close };
}

function toUint8Array(data: RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) {
    const joined = Buffer.concat(data);
    return new Uint8Array(joined.buffer, joined.byteOffset, joined.byteLength);
  }
  return new Uint8Array(data);
}
