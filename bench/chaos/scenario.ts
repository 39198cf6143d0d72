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
