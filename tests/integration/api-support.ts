/**
 * Harness for the HTTP API integration tests: real services (PostgreSQL or PGlite, a private
 * redis-server), the env pointed at them, and `call()` which invokes a route handler export
 * with a real Request, as Next does.
 */
import { randomInt } from 'node:crypto';
import { resetConfigForTests } from '../../lib/config';
import { closeDb } from '../../lib/db/client';
import { closeRedis } from '../../lib/redis/client';
import type { NextRouteContext } from '../../lib/http/handler';
import { startTestDatabase, startTestRedis, type TestDbKind, type TestDatabase } from '../support/services';
import { closeQueues } from '../../queue/enqueue';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export interface ApiEnv {
  db: TestDatabase;
  stop(): Promise<void>;
}

export async function startApiEnv(kind: TestDbKind): Promise<ApiEnv> {
  const [db, redis] = await Promise.all([startTestDatabase(kind), startTestRedis()]);
  process.env.LOG_LEVEL = 'silent';
  process.env.DATABASE_URL = db.url;
  process.env.REDIS_URL = redis.url;
  process.env.JWT_SECRET = TEST_SECRET;
  process.env.CORS_ORIGINS = 'http://localhost:3000,https://studio.example';
  process.env.COLLAB_PUBLIC_URL = 'ws://collab.test:1234';
  resetConfigForTests();
  await closeDb();
  await closeRedis();
  // The API's queue is process-wide too: left open, it would keep talking to a stopped Redis.
  await closeQueues();
  return {
    db,
    async stop() {
      await closeDb();
      await closeRedis();
      await closeQueues();
      await Promise.all([db.stop(), redis.stop()]);
    },
  };
}

type Handler = (req: Request, context?: NextRouteContext) => Promise<Response>;

export interface CallOptions {
  method?: string;
  path?: string;
  body?: unknown;
  /** Sent as is (no JSON encoding) when set. */
  rawBody?: BodyInit;
  token?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  /** Client address; a random one by default so tests do not trip the per-IP limit. */
  ip?: string;
}

export function randomIp(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

export interface CallResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience only
}

export async function call(handler: Handler, options: CallOptions = {}): Promise<CallResult> {
  const headers = new Headers(options.headers);
  headers.set('x-forwarded-for', options.ip ?? randomIp());
  if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  let body: BodyInit | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  }
  const req = new Request(`http://localhost:3000${options.path ?? '/api/test'}`, {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
    body,
  });
  const res = await handler(req, { params: Promise.resolve(options.params ?? {}) });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}.${Date.now()}@example.com`;
}
