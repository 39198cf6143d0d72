/**
 * The browser's HTTP client for /api. Adds the bearer token, refreshes it once on a 401
 * (single flight, so parallel requests share one refresh and a rotated refresh token is never
 * replayed), and turns `{error:{code,message}}` bodies into ApiError.
 */
import { z } from 'zod';
import { getSession, setSession, type Session } from './session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Field-level problems when the API sends them (zod issues or similar). */
    readonly details: ReadonlyArray<{ path: string; message: string }> = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    issues: z.unknown().optional(),
  }),
});

const issueShape = z.object({ path: z.array(z.union([z.string(), z.number()])).or(z.string()).optional(), message: z.string() });

function detailsOf(raw: unknown): Array<{ path: string; message: string }> {
  if (!Array.isArray(raw)) return [];
  const out: Array<{ path: string; message: string }> = [];
  for (const item of raw) {
    const parsed = issueShape.safeParse(item);
    if (!parsed.success) continue;
    const p = parsed.data.path;
    out.push({ path: Array.isArray(p) ? p.join('.') : (p ?? ''), message: parsed.data.message });
  }
  return out;
}

const tokens = z.object({ accessToken: z.string(), refreshToken: z.string() });

let refreshing: Promise<Session | null> | null = null;

async function refresh(): Promise<Session | null> {
  const current = getSession();
  if (!current) return null;
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken: current.refreshToken }),
      });
      if (!res.ok) {
        setSession(null);
        return null;
      }
      const body = tokens.parse(await res.json());
      const next: Session = { ...current, ...body };
      setSession(next);
      return next;
    } catch {
      // Network failure: keep the session, the caller sees the original error.
      return current;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  /** Skip the Authorization header (sign in, sign up). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

async function send(path: string, opts: RequestOptions, session: Session | null): Promise<Response> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (!opts.anonymous && session) headers.authorization = `Bearer ${session.accessToken}`;
  return fetch(path, {
    method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: opts.signal,
  });
}

async function toError(res: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  const parsed = errorBody.safeParse(body);
  if (parsed.success) {
    const e = parsed.data.error;
    return new ApiError(res.status, e.code, e.message, detailsOf(e.details ?? e.issues));
  }
  return new ApiError(res.status, 'http_' + res.status, res.statusText || 'Request failed');
}

/** Raw request: returns the Response after auth handling (used for downloads). */
export async function apiRaw(path: string, opts: RequestOptions = {}): Promise<Response> {
  let session = opts.anonymous ? null : getSession();
  let res = await send(path, opts, session);
  if (res.status === 401 && !opts.anonymous && session) {
    session = await refresh();
    if (session) res = await send(path, opts, session);
  }
  if (!res.ok) throw await toError(res);
  return res;
}

/** JSON request validated by `schema`, so the UI never trusts a shape it did not check. */
export async function api<S extends z.ZodType>(path: string, schema: S, opts: RequestOptions = {}): Promise<z.output<S>> {
  const res = await apiRaw(path, opts);
  if (res.status === 204) return schema.parse(undefined);
  const json: unknown = await res.json();
  return schema.parse(json);
}

export function errorMessage(e: unknown, fallback: string): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof z.ZodError) return fallback;
  if (e instanceof Error && e.name !== 'AbortError') return e.message;
  return fallback;
}
