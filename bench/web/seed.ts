/**
 * Real content for the pages Lighthouse measures, made through the public HTTP API as a person
 * would: one account, and projects whose whole pipeline has run (branches, scene images, final
 * pages, a cover on the dashboard) next to one that is fresh.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const FIXTURE = path.resolve(import.meta.dirname, '../../../shared/fixtures/stories/en-lighthouse.txt');
const FALLBACK_STORY =
  'Mara Quill kept the lighthouse.\n\n"The lamp is out," Tobias Quill said.\n\nElias Park rowed out in the storm to help them.';

const authResponse = z.object({
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  user: z.object({ id: z.string(), email: z.string(), name: z.string() }),
});
export type BenchSession = z.infer<typeof authResponse>;
const created = z.object({ id: z.string().uuid() });
const phaseState = z.object({ activeBranchId: z.string().nullable().optional(), status: z.string().optional() });

export interface SeededContent {
  session: BenchSession;
  /** A project whose seven phases have all run and been adopted. */
  finishedProjectId: string;
}

async function call<T>(base: string, method: string, url: string, schema: z.ZodType<T>, token?: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status}: ${text.slice(0, 500)}`);
  return schema.parse(text ? JSON.parse(text) : {});
}

export async function seedContent(base: string, options: { finished?: number; fresh?: number; timeoutMs?: number } = {}): Promise<SeededContent> {
  const story = existsSync(FIXTURE) ? readFileSync(FIXTURE, 'utf8') : FALLBACK_STORY;
  const email = `bench-web-${Date.now()}@example.com`;
  const session = await call(base, 'POST', '/api/auth/register', authResponse, undefined, { email, password: 'a long bench password', name: 'Bench Reader' });
  const token = session.accessToken;
  const project = (title: string) => call(base, 'POST', '/api/projects', created, token, { title, sourceText: story, language: 'en', readingDirection: 'ltr' });

  const finished: string[] = [];
  for (let i = 0; i < (options.finished ?? 2); i++) {
    const { id } = await project(i === 0 ? 'The Lighthouse' : `The Lighthouse, take ${i + 1}`);
    await call(base, 'POST', `/api/projects/${id}/pipeline`, z.unknown(), token, {});
    finished.push(id);
  }
  for (let i = 0; i < (options.fresh ?? 1); i++) await project(`Untitled draft ${i + 1}`);

  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  for (const id of finished) {
    for (;;) {
      const final = await call(base, 'GET', `/api/projects/${id}/phases/final`, phaseState, token);
      if (final.activeBranchId) break;
      if (Date.now() > deadline) throw new Error(`the pipeline of project ${id} did not finish in time (final phase: ${JSON.stringify(final)})`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  return { session, finishedProjectId: finished[0] };
}
