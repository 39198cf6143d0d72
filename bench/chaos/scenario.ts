import { z } from 'zod';
import { phaseSchema } from '../../schema/phases';

const settingsSchema = z.object({
  /** worker-kill: the phase whose job is killed. The last one by default: it renders every page, the longest single job, so the kill lands mid-run. */
  CHAOS_KILL_PHASE: phaseSchema.default('final'),
  /** pg-outage: how long PostgreSQL stays down. */
  CHAOS_PG_OUTAGE_MS: z.coerce.number().int().min(1_000).max(120_000).default(10_000),
});

/** The chaos run's settings from the environment, validated (a bad value names the variable). */
export function chaosSettings(): z.infer<typeof settingsSchema> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k, v]) => k.startsWith('CHAOS_') && v !== ''));
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

/** What every scenario reports: a verdict, the figures behind it, and why it failed if it did. */
import type { Api } from './api';
import type { Topology } from './topology';

export interface ScenarioResult {
  name: string;
  title: string;
  pass: boolean;
  figures: Array<[string, string | number]>;
  failures: string[];
}

export interface ScenarioContext {
  topology: Topology;
  api: Api;
  log: (line: string) => void;
}

export type Scenario = (ctx: ScenarioContext) => Promise<ScenarioResult>;

/** Collect failed checks: `check(cond, why)` records `why` when `cond` is false. */
export function checker(): { check: (ok: boolean, why: string) => void; failures: string[] } {
  const failures: string[] = [];
  return { failures, check: (ok, why) => void (ok || failures.push(why)) };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function ms(n: number): string {
  return Number.isFinite(n) ? `${Math.round(n)} ms` : '—';
}
