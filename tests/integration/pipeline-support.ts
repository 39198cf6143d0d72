/**
 * The whole back end in one test process, as production wires it: real PostgreSQL, a private
 * Redis, a collab-server, a BullMQ worker running the offline agents, and the HTTP API's
 * route handlers called with real Requests.
 */
import pino from 'pino';
import { resetConfigForTests, loadConfig } from '../../lib/config';
import { startCollabServer, type CollabServer } from '../../collab-server/server';
import { startWorker, type RunningWorker } from '../../queue/worker';
import { selectProvider } from '../../agents';
import { call, startApiEnv, TEST_SECRET, uniqueEmail, type ApiEnv } from './api-support';
import type { TestDbKind } from '../support/services';
import * as registerRoute from '../../app/api/auth/register/route';
import * as projectsRoute from '../../app/api/projects/route';
import * as collabTokenRoute from '../../app/api/projects/[id]/collab-token/route';
import * as phaseRoute from '../../app/api/projects/[id]/phases/[phase]/route';
import * as runsRoute from '../../app/api/projects/[id]/phases/[phase]/runs/route';
import * as actionRoute from '../../app/api/projects/[id]/phases/[phase]/[action]/route';
import * as pipelineRoute from '../../app/api/projects/[id]/pipeline/route';
import * as jobRoute from '../../app/api/jobs/[jobId]/route';
import * as exportRoute from '../../app/api/projects/[id]/export/route';
import * as assetRoute from '../../app/api/assets/[assetId]/route';

export const routes = { registerRoute, projectsRoute, collabTokenRoute, phaseRoute, runsRoute, actionRoute, pipelineRoute, jobRoute, exportRoute, assetRoute };

export interface Stack {
  env: ApiEnv;
  collab: CollabServer;
  worker: RunningWorker | null;
  stop(): Promise<void>;
}

export async function startStack(kind: TestDbKind, options: { worker?: boolean } = {}): Promise<Stack> {
  const env = await startApiEnv(kind);
  const log = pino({ level: 'warn' });
  const collab = await startCollabServer({ sql: env.db.sql, secret: TEST_SECRET, redisUrl: process.env.REDIS_URL, port: 0, log });
  process.env.COLLAB_INTERNAL_URL = collab.url;
  process.env.COLLAB_PUBLIC_URL = collab.url;
  process.env.AI_PROVIDER = 'offline';
  resetConfigForTests();
  const worker =
    options.worker === false
      ? null
      : await startWorker({
          sql: env.db.sql,
          redisUrl: process.env.REDIS_URL!,
          secret: TEST_SECRET,
          collabUrl: collab.url,
          provider: selectProvider(loadConfig()),
          log,
          concurrency: 2,
          lockDurationMs: 5_000,
        });
  return {
    env,
    collab,
    worker,
    async stop() {
      await worker?.close();
      await collab.close();
      await env.stop();
    },
  };
}

export interface Person {
  token: string;
  id: string;
  name: string;
}

export async function signUp(name: string): Promise<Person> {
  const res = await call(registerRoute.POST, { body: { email: uniqueEmail(name), password: 'correct horse battery', name } });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.accessToken, id: res.body.user.id, name };
}

export async function newProject(owner: Person, sourceText: string, language: 'ja' | 'en', readingDirection: 'rtl' | 'ltr'): Promise<string> {
  const res = await call(projectsRoute.POST, { token: owner.token, body: { title: 'Test book', sourceText, language, readingDirection } });
  if (res.status !== 201) throw new Error(`create project failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

export async function waitForJob(person: Person, jobId: string, timeoutMs = 90_000): Promise<{ state: string; error?: string; branchId: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(jobRoute.GET, { token: person.token, params: { jobId } });
    if (res.status !== 200) throw new Error(`job status failed: ${res.status} ${JSON.stringify(res.body)}`);
    if (['completed', 'failed', 'cancelled'].includes(res.body.state)) return res.body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${res.body.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function runPhase(person: Person, projectId: string, phase: string, body: Record<string, unknown> = {}) {
  const res = await call(runsRoute.POST, { token: person.token, params: { id: projectId, phase }, body });
  if (res.status !== 202) throw new Error(`run ${phase} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { jobId: string; branchId: string };
}

export async function act(person: Person, projectId: string, phase: string, action: string, body: Record<string, unknown> = {}) {
  return call(actionRoute.POST, { token: person.token, params: { id: projectId, phase, action }, body });
}

export async function phaseState(person: Person, projectId: string, phase: string) {
  const res = await call(phaseRoute.GET, { token: person.token, params: { id: projectId, phase } });
  if (res.status !== 200) throw new Error(`phase view failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}
