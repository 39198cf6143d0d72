/**
 * Agent work while the clients edit, at a steady rate, alternating two kinds of job as people
 * start them in the studio:
 * - a **pipeline on a new project**: one of the load users creates a project from a fixture story
 *   through the API, opens it (one watching client, as the studio does) and starts all seven
 *   phases (offline provider unless a key is set). When the book is finished the watcher closes
 *   it, so the collab-server can unload it: projects come and go, as on a real server;
 * - a **concept re-run with feedback** on one of the edited projects, watched live by its ten
 *   clients (each adds a small branch to a document that stays open).
 *
 * Why new projects rather than a pipeline on each edited project: a finished book is a
 * document of ~3,000 Yjs items that stays loaded while its ten clients keep editing, so sixty
 * books finished inside the window would grow the server's memory by the data the run added,
 * which says nothing about a leak. The memory bar is for a steady state; the report says
 * how many pipelines ran through it.
 *
 * Outcomes are read the way the studio reads them — from the project document: a pipeline is
 * done when the final phase has an adopted branch, failed when a phase says `failed`; a single
 * run is done when its branch is `ready`.
 */
import * as Y from 'yjs';
import { connect, type Client } from '../../tests/integration/collab-support';
import { tokenSource, type Api } from './api';
import type { LoadProject, Story } from './setup';

type Outcome = 'done' | 'failed' | 'running';

interface Started {
  kind: 'pipeline' | 'run';
  /** The document the outcome is read from. */
  doc: Y.Doc;
  /** The pipeline's watching client, closed when the pipeline ends. */
  watcher?: Client;
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
  private next = 0;
  private stopped = false;
  private timer?: NodeJS.Timeout;
  private readonly refused = new Map<string, number>();

  constructor(
    private readonly api: Api,
    private readonly projects: LoadProject[],
    /** A synced document of each project (one of the load clients'). */
    private readonly docOf: (project: LoadProject) => Y.Doc,
    private readonly perMinute: number,
    private readonly stories: Story[],
    /** Where a watcher connects (the product's collab URL, else the one the token API gives). */
    private readonly collabUrl: (tokenUrl: string) => string,
  ) {}

  start(): void {
    if (this.perMinute <= 0) return;
    const every = 60_000 / this.perMinute;
    this.timer = setInterval(() => void this.startOne(), every);
  }

  /** No new jobs; close the pipelines' watchers (what still runs is reported unfinished). */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    for (const s of this.started) s.watcher?.destroy();
  }

  private async startOne(): Promise<void> {
    const n = this.next;
    this.next += 1;
    const project = this.projects[Math.floor(n / 2) % this.projects.length];
    const token = project.owner.accessToken;
    const startedAt = performance.now();
    let watcher: Client | undefined;
    try {
      if (n % 2 === 0) {
        const story = this.stories[(n / 2) % this.stories.length];
        const created = await this.api.createProject(token, {
          title: `Load pipeline ${n / 2 + 1} · ${story.name}`,
          sourceText: story.text,
          language: story.language,
          readingDirection: story.language === 'ja' ? 'rtl' : 'ltr',
        });
        const collab = await this.api.collabToken(token, created.id);
        const fresh = async () => (await this.api.collabToken(token, created.id)).token;
        watcher = connect(this.collabUrl(collab.url), collab.docName, tokenSource(collab.token, fresh));
        const r = await this.api.pipeline(token, created.id);
        if (this.stopped) watcher.destroy();
        this.started.push({ kind: 'pipeline', doc: watcher.doc, watcher, branchId: r.branchId, startedAt, outcome: 'running' });
      } else {
        const r = await this.api.run(token, project.id, 'concept', `load test re-run ${n}: a little darker`);
        this.started.push({ kind: 'run', doc: this.docOf(project), branchId: r.branchId, startedAt, outcome: 'running' });
      }
    } catch (error) {
      watcher?.destroy();
      const message = error instanceof Error ? error.message.replace(/\/api\/projects\/[0-9a-f-]+/, '/api/projects/<id>').slice(0, 160) : String(error);
      this.refused.set(message, (this.refused.get(message) ?? 0) + 1);
    }
  }

  /** Re-read every unfinished job's outcome from the documents. */
  poll(): void {
    for (const s of this.started) {
      if (s.outcome !== 'running') continue;
      s.outcome = outcomeOf(s, s.doc);
      if (s.outcome === 'running') continue;
      s.finishedAfterMs = performance.now() - s.startedAt;
      s.watcher?.destroy();
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
