/**
 * Agent work while the clients edit: at a steady rate, the next project (round robin) gets its
 * pipeline started through the API (all seven phases, offline provider unless a key is set);
 * a project whose pipeline was already started gets a concept re-run with feedback instead.
 *
 * Outcomes are read the way the studio reads them — from the project document the load
 * clients already hold: a pipeline is done when the final phase has an adopted branch, failed
 * when a phase says `failed`; a single run is done when its branch is `ready`.
 */
import * as Y from 'yjs';
import type { Api } from './api';
import type { LoadProject } from './setup';

type Outcome = 'done' | 'failed' | 'running';

interface Started {
  kind: 'pipeline' | 'run';
  project: LoadProject;
  branchId: string | null;
  startedAt: number;
  outcome: Outcome;
  finishedAfterMs?: number;
}

export interface JobCounts {
  pipelines: Record<Outcome, number>;
  runs: Record<Outcome, number>;
  /** Requests the API refused (HTTP error), by message. */
  refused: Map<string, number>;
  /** Seconds from request to outcome, for finished pipelines / runs. */
  pipelineSeconds: number[];
  runSeconds: number[];
}

function phase(doc: Y.Doc, name: string): Y.Map<unknown> | undefined {
  const value = doc.getMap('phases').get(name);
  return value instanceof Y.Map ? value : undefined;
}

function outcomeOf(started: Started, doc: Y.Doc): Outcome {
  const phases = doc.getMap('phases');
  if (started.kind === 'pipeline') {
    if (typeof phase(doc, 'final')?.get('activeBranchId') === 'string') return 'done';
    for (const value of phases.values()) if (value instanceof Y.Map && value.get('status') === 'failed') return 'failed';
    return 'running';
  }
  const branches = phase(doc, 'concept')?.get('branches');
  const branch = branches instanceof Y.Map && started.branchId ? branches.get(started.branchId) : undefined;
  const state = branch instanceof Y.Map ? branch.get('state') : undefined;
  if (state === 'ready') return 'done';
  if (state === 'failed' || phase(doc, 'concept')?.get('status') === 'failed') return 'failed';
  return 'running';
}

export class JobDriver {
  private readonly started: Started[] = [];
  private readonly pipelined = new Set<string>();
  private next = 0;
  private timer?: NodeJS.Timeout;
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly api: Api,
    private readonly projects: LoadProject[],
    /** A synced document of each project (one of the load clients'). */
    private readonly docOf: (project: LoadProject) => Y.Doc,
    private readonly perMinute: number,
  ) {}

  start(): void {
    if (this.perMinute <= 0) return;
    const every = 60_000 / this.perMinute;
    this.timer = setInterval(() => void this.startOne(), every);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async startOne(): Promise<void> {
    const project = this.projects[this.next % this.projects.length];
    this.next += 1;
    const token = project.owner.accessToken;
    const startedAt = performance.now();
    try {
      if (!this.pipelined.has(project.id)) {
        this.pipelined.add(project.id);
        const r = await this.api.pipeline(token, project.id);
        this.started.push({ kind: 'pipeline', project, branchId: r.branchId, startedAt, outcome: 'running' });
      } else {
        const r = await this.api.run(token, project.id, 'concept', `load test re-run ${this.next}: a little darker`);
        this.started.push({ kind: 'run', project, branchId: r.branchId, startedAt, outcome: 'running' });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message.replace(/\/api\/projects\/[0-9a-f-]+/, '/api/projects/<id>').slice(0, 160) : String(error);
      this.refused.set(message, (this.refused.get(message) ?? 0) + 1);
    }
  }

  /** Re-read every unfinished job's outcome from the documents. */
  poll(): void {
    for (const s of this.started) {
      if (s.outcome !== 'running') continue;
      s.outcome = outcomeOf(s, this.docOf(s.project));
      if (s.outcome !== 'running') s.finishedAfterMs = performance.now() - s.startedAt;
    }
  }

  counts(): JobCounts {
    this.poll();
    const zero = (): Record<Outcome, number> => ({ done: 0, failed: 0, running: 0 });
    const c: JobCounts = { pipelines: zero(), runs: zero(), refused: this.refused, pipelineSeconds: [], runSeconds: [] };
    for (const s of this.started) {
      const group = s.kind === 'pipeline' ? c.pipelines : c.runs;
      group[s.outcome] += 1;
      if (s.outcome === 'done' && s.finishedAfterMs !== undefined) (s.kind === 'pipeline' ? c.pipelineSeconds : c.runSeconds).push(s.finishedAfterMs / 1000);
    }
    return c;
  }
}
