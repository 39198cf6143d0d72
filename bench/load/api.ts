/**
 * The load generator's HTTP client: the same API calls the studio makes (register, create a
 * project, add members, collab tokens, agent runs), every answer checked with the product's own
 * zod schemas so a changed API fails loudly here instead of skewing the figures.
 *
 * A 429 is waited out (Retry-After) and retried: with many users behind one loopback address the
 * per-IP limit is the generator's artefact, not the product's behaviour under load; each one is
 * counted so the report can say so.
 */
import { z } from 'zod';
import { authView } from '../../lib/auth/schemas';
import { collabTokenView, createdProjectView, memberResultView } from '../../lib/projects/schemas';

export const runStarted = z.object({ jobId: z.string().nullable(), branchId: z.string().nullable() }).loose();
export const jobView = z.object({ state: z.string(), progress: z.unknown().optional(), branchId: z.string().nullable().optional(), phase: z.string().optional(), error: z.unknown().optional() });

export interface ApiCounters {
  requests: number;
  rateLimited: number;
  failures: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    body: string,
  ) {
    super(`${path} → HTTP ${status}: ${body.slice(0, 300)}`);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Api {
  readonly counters: ApiCounters = { requests: 0, rateLimited: 0, failures: 0 };

  constructor(readonly baseUrl: string) {}

  async call<T extends z.ZodType>(path: string, schema: T, init: { method?: string; token?: string; body?: unknown } = {}): Promise<z.output<T>> {
    for (let attempt = 0; ; attempt += 1) {
      this.counters.requests += 1;
      const res = await fetch(`${this.baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
        signal: AbortSignal.timeout(60_000),
      });
      const text = await res.text();
      if (res.status === 429 && attempt < 20) {
        this.counters.rateLimited += 1;
        await sleep(Math.max(1, Number(res.headers.get('retry-after')) || 1) * 1000);
        continue;
      }
      if (!res.ok) {
        this.counters.failures += 1;
        throw new ApiError(res.status, path, text);
      }
      const parsed = schema.safeParse(JSON.parse(text));
      if (!parsed.success) {
        this.counters.failures += 1;
        throw new Error(`${path}: unexpected answer (${parsed.error.issues[0]?.message}): ${text.slice(0, 300)}`);
      }
      return parsed.data;
    }
  }

  async register(email: string, name: string, password: string) {
    return this.call('/api/auth/register', authView, { method: 'POST', body: { email, password, name } });
  }

  async createProject(token: string, input: { title: string; sourceText: string; language: 'ja' | 'en'; readingDirection: 'rtl' | 'ltr' }) {
    return this.call('/api/projects', createdProjectView, { method: 'POST', token, body: input });
  }

  async addMember(token: string, projectId: string, email: string, role: 'editor' | 'reviewer' | 'viewer') {
    return this.call(`/api/projects/${projectId}/members`, memberResultView, { method: 'POST', token, body: { email, role } });
  }

  async collabToken(token: string, projectId: string) {
    return this.call(`/api/projects/${projectId}/collab-token`, collabTokenView, { method: 'POST', token, body: {} });
  }

  async pipeline(token: string, projectId: string) {
    return this.call(`/api/projects/${projectId}/pipeline`, runStarted, { method: 'POST', token, body: {} });
  }

  async run(token: string, projectId: string, phase: string, feedback: string) {
    return this.call(`/api/projects/${projectId}/phases/${phase}/runs`, runStarted, { method: 'POST', token, body: { feedback } });
  }

  async job(token: string, jobId: string) {
    return this.call(`/api/jobs/${jobId}`, jobView, { token });
  }
}

/** As the studio does: the first connect uses the token in hand, each reconnect asks for a fresh one. */
export function tokenSource(first: string, fresh: () => Promise<string>): () => Promise<string> {
  let used = false;
  return async () => {
    if (used) return fresh();
    used = true;
    return first;
  };
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index], index);
      }
    }),
  );
  return results;
}
