/**
 * Where a collab provider gets its token on every (re)connect.
 *
 * A reconnect normally fetches a fresh token (the role may have changed). But when the API cannot
 * answer — PostgreSQL down, the web service restarting, a flaky network — a token function that
 * throws makes the Hocuspocus provider treat it as "permission denied" and stop, leaving the
 * studio offline until a reload even after everything is back. So transient failures fall back
 * to the last token while it is still valid (the collab-server re-checks the role itself), and
 * otherwise wait and try again. Only a definite "no" (403/404, or 401 after the API's own refresh)
 * is passed on.
 */
import { ApiError } from './api';

export interface TokenSourceOptions {
  fetchToken: () => Promise<string>;
  /** A token already fetched for the first connect. */
  initial?: string | null;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Stop waiting (the studio was closed). */
  disposed?: () => boolean;
  /** Don't reuse a token this close to its expiry (ms). */
  expiryMarginMs?: number;
}

export function isTransientTokenError(error: unknown): boolean {
  if (error instanceof ApiError) return error.status >= 500 || error.status === 429 || error.status === 0;
  // fetch() rejects with a TypeError when the network is down.
  return true;
}

/** The `exp` claim of a JWT in ms, without verifying it (the server does that). */
export function tokenExpiryMs(token: string): number | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const json: unknown = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
    const exp = typeof json === 'object' && json !== null && 'exp' in json ? (json as { exp: unknown }).exp : null;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

export function createTokenSource(options: TokenSourceOptions): () => Promise<string> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const margin = options.expiryMarginMs ?? 30_000;
  let pendingInitial = options.initial ?? null;
  let latest = options.initial ?? null;

  const stillValid = (token: string | null): token is string => {
    if (!token) return false;
    const expiry = tokenExpiryMs(token);
    return expiry !== null && expiry - margin > now();
  };

  return async () => {
    if (pendingInitial) {
      const token = pendingInitial;
      pendingInitial = null;
      return token;
    }
    for (let attempt = 0; ; attempt++) {
      try {
        latest = await options.fetchToken();
        return latest;
      } catch (error) {
        if (!isTransientTokenError(error)) throw error;
        if (stillValid(latest)) return latest;
        if (options.disposed?.()) throw error;
        await sleep(Math.min(15_000, 1_000 * 2 ** Math.min(attempt, 4)));
      }
    }
  };
}
