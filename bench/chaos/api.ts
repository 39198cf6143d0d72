/**
 * The real HTTP API, as a person's client uses it: sign up, create a project, get collab
 * tokens, start runs, read jobs. Every answer is validated with zod before it is used.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

const registered = z.object({ accessToken: z.string().min(1), user: z.object({ id: z.string() }) });
const created = z.object({ id: z.string().uuid() });
const collabToken = z.object({ token: z.string().min(1), docName: z.string().min(1), expiresIn: z.number() });
const runStarted = z.object({ jobId: z.string().min(1), branchId: z.string().min(1) });
const pipelineStarted = z.object({ jobId: z.string().min(1).nullable(), branchId: z.string().nullable() });
const jobView = z.object({ state: z.string(), branchId: z.string(), error: z.string().optional() });
export type JobView = z.infer<typeof jobView>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The API answered 2xx with something we do not understand: a bug, never retried. */
export class AnswerError extends Error {}

export interface Person {
  token: string;
  id: string;
  name: string;
}

export class Api {
  constructor(readonly baseUrl: string) {}

  private async call<T>(schema: z.ZodType<T>, method: string, route: string, body?: unknown, token?: string): Promise<T> {
    const res = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (!res.ok) throw new ApiError(res.status, `${method} ${route} → ${res.status}: ${text.slice(0, 300)}`);
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new AnswerError(`${method} ${route}: unexpected answer ${text.slice(0, 300)}`);
    return parsed.data;
  }

  async signUp(name: string): Promise<Person> {
    const body = { email: `${name.toLowerCase()}-${randomUUID()}@chaos.test`, password: 'chaos monkey battery staple', name };
    const r = await this.call(registered, 'POST', '/api/auth/register', body);
    return { token: r.accessToken, id: r.user.id, name };
  }

  async createProject(owner: Person, title: string, sourceText: string): Promise<string> {
    const r = await this.call(created, 'POST', '/api/projects', { title, sourceText, language: 'ja', readingDirection: 'rtl' }, owner.token);
    return r.id;
  }

  collabToken(person: Person, projectId: string) {
    return this.call(collabToken, 'POST', `/api/projects/${projectId}/collab-token`, undefined, person.token);
  }

  runPhase(person: Person, projectId: string, phase: string) {
    return this.call(runStarted, 'POST', `/api/projects/${projectId}/phases/${phase}/runs`, {}, person.token);
  }

  pipeline(person: Person, projectId: string) {
    return this.call(pipelineStarted, 'POST', `/api/projects/${projectId}/pipeline`, {}, person.token);
  }

  job(person: Person, jobId: string): Promise<JobView> {
    return this.call(jobView, 'GET', `/api/jobs/${jobId}`, undefined, person.token);
  }

  /** Poll a job until it is finished (completed, failed or cancelled). */
  async waitForJob(person: Person, jobId: string, timeoutMs = 120_000): Promise<JobView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.job(person, jobId).catch((error: unknown) => {
        // The API itself may be riding out the same fault (Redis restarting): ask again.
        if ((error instanceof ApiError && error.status < 500) || error instanceof AnswerError) throw error;
        return null;
      });
      if (view && ['completed', 'failed', 'cancelled'].includes(view.state)) return view;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${view?.state ?? 'unreadable'} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
