/**
 * The editing load every scenario runs: a few projects created through the real API, N chaos
 * clients per project spread over both collab-servers, each making one edit every
 * `intervalMs`; then `settle()` (everyone reconnected and acknowledged) and `verify()`: every
 * document read back from PostgreSQL (snapshot + log, `loadDoc`) and compared with what each
 * client made, saw acknowledged, and holds.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as Y from 'yjs';
import type { Db } from '../../lib/db/client';
import { applyStoredDoc, loadDoc } from '../../lib/db/docstore';
import type { Api, Person } from './api';
import { Histogram } from '../lib/yclients';
import { ChaosClient, EDIT_MAP } from './clients';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures/stories');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ChaosProject {
  owner: Person;
  projectId: string;
  docName: string;
}

export async function storyText(): Promise<string> {
  return readFile(path.join(FIXTURES, 'ja-kasa.txt'), 'utf8').catch(() => '雨の日、少女は傘を拾った。\n持ち主を探して町を歩く。\n最後に傘は空へ帰った。\n');
}

export async function createProjects(api: Api, count: number, label: string): Promise<ChaosProject[]> {
  const story = await storyText();
  const out: ChaosProject[] = [];
  for (let i = 0; i < count; i += 1) {
    const owner = await api.signUp(`${label}${i}`);
    const projectId = await api.createProject(owner, `chaos ${label} ${i}`, story);
    const first = await api.collabToken(owner, projectId);
    out.push({ owner, projectId, docName: first.docName });
  }
  return out;
}

/** A token source per project: cached, renewed after 4 minutes (tokens live 10), the old one kept if the API cannot answer. */
function tokenSource(api: Api, project: ChaosProject): () => Promise<string> {
  let cached: { token: string; at: number } | null = null;
  return async () => {
    if (cached && Date.now() - cached.at < 240_000) return cached.token;
    try {
      const fresh = await api.collabToken(project.owner, project.projectId);
      cached = { token: fresh.token, at: Date.now() };
    } catch (error) {
      if (!cached) throw error;
    }
    return cached.token;
  };
}

export interface VerifyResult {
  edits: number;
  acked: number;
  /** Acknowledged edits missing from PostgreSQL: the promise says 0. */
  lostAcked: string[];
  /** Edits (acknowledged or not) missing from PostgreSQL after everyone settled: a client lost local edits. */
  lostLocal: string[];
  /** Clients whose document differs from the stored one. */
  diverged: string[];
  /** Clients that never got back to "everything acknowledged". */
  unsettled: string[];
}

export class Workload {
  readonly clients: ChaosClient[] = [];
  private timers: ReturnType<typeof setTimeout>[] = [];
  private editing = false;

  constructor(
    readonly projects: ChaosProject[],
    private readonly api: Api,
    private readonly urls: string[],
  ) {}

  /** `perProject` clients on each project, alternating between the collab-servers. */
  async connect(perProject: number, timeoutMs = 90_000): Promise<void> {
    this.projects.forEach((project, p) => {
      const token = tokenSource(this.api, project);
      for (let i = 0; i < perProject; i += 1) {
        const n = this.clients.length;
        this.clients.push(new ChaosClient({ tag: `p${p}c${i}`, projectId: project.projectId, docName: project.docName, urls: this.urls, first: n % this.urls.length, token }));
      }
    });
    await this.waitUntil(() => this.clients.every((c) => c.synced), timeoutMs, 'every client synced');
  }

  /** Every client edits once per `intervalMs`, spread over the interval so the load is steady. */
  startEditing(intervalMs: number): void {
    this.editing = true;
    this.clients.forEach((client, i) => {
      const tick = () => {
        if (!this.editing) return;
        client.edit();
        this.timers[i] = setTimeout(tick, intervalMs);
      };
      this.timers[i] = setTimeout(tick, Math.floor((i / this.clients.length) * intervalMs));
    });
  }

  stopEditing(): void {
    this.editing = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  get editCount(): number {
    return this.clients.reduce((n, c) => n + c.edits.length, 0);
  }

  async waitUntil(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(50);
    }
  }

  /** Wait (bounded) until every client is connected, synced and has nothing unacknowledged. */
  async settle(timeoutMs = 60_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.clients.every((c) => c.allAcked)) return [];
      await sleep(100);
    }
    return this.clients.filter((c) => !c.allAcked).map((c) => `${c.options.tag} (socket ${c.socket.status}, synced ${c.provider.isSynced}, unsynced ${c.provider.unsyncedChanges}, auth failures ${c.authFailures.length})`);
  }

  async verify(sql: Db, unsettled: string[]): Promise<VerifyResult> {
    const result: VerifyResult = { edits: 0, acked: 0, lostAcked: [], lostLocal: [], diverged: [], unsettled };
    const stored = new Map<string, Y.Doc>();
    for (const project of this.projects) {
      const doc = new Y.Doc();
      applyStoredDoc(doc, await loadDoc(sql, project.docName));
      stored.set(project.docName, doc);
    }
    for (const client of this.clients) {
      const doc = stored.get(client.options.docName)!;
      const storedMap = doc.getMap<number>(EDIT_MAP);
      for (const edit of client.edits) {
        result.edits += 1;
        if (edit.ackedAt !== null) result.acked += 1;
        if (storedMap.has(edit.key)) continue;
        if (edit.ackedAt !== null) result.lostAcked.push(edit.key);
        else result.lostLocal.push(edit.key);
      }
      const mine = client.doc.getMap<number>(EDIT_MAP);
      if (mine.size !== storedMap.size || [...storedMap.keys()].some((k) => !mine.has(k))) {
        result.diverged.push(`${client.options.tag} (${mine.size} keys, stored ${storedMap.size})`);
      }
    }
    for (const doc of stored.values()) doc.destroy();
    return result;
  }

  /** Clients' documents may still be receiving others' last edits: wait until they match, bounded. */
  async converge(sql: Db, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const sizes = new Map<string, number>();
    for (const project of this.projects) {
      const doc = new Y.Doc();
      applyStoredDoc(doc, await loadDoc(sql, project.docName));
      sizes.set(project.docName, doc.getMap(EDIT_MAP).size);
      doc.destroy();
    }
    while (Date.now() < deadline) {
      if (this.clients.every((c) => c.doc.getMap(EDIT_MAP).size === sizes.get(c.options.docName))) return;
      await sleep(100);
    }
  }

  outagesMs(since: number): number[] {
    return this.clients.flatMap((c) => c.outages.filter((o) => o.downAt >= since && o.upAt !== null).map((o) => o.upAt! - o.downAt));
  }

  destroy(): void {
    this.stopEditing();
    for (const c of this.clients) c.destroy();
  }
}

/** Percentiles of a few samples, with the histogram `npm run load` uses. */
export function histogram(samples: number[]): Histogram {
  const h = new Histogram();
  for (const x of samples) h.record(x);
  return h;
}
