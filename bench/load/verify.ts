/**
 * End-of-run checks: every client of a project holds the same document, every acknowledged edit
 * is in it, and (when the database is reachable) in the durable log too — loaded straight from
 * PostgreSQL the way the collab-server loads a document (snapshot + log tail).
 */
import * as Y from 'yjs';
import type { Db } from '../../lib/db/client';
import { applyStoredDoc, loadDoc } from '../../lib/db/docstore';
import { probeValue, sameDocument, type ProbeClient } from '../lib/yclients';

export interface ProjectClients {
  docName: string;
  clients: ProbeClient[];
}

export interface Verdict {
  projects: number;
  /** Everything acknowledged and converged before the checks ran. */
  settled: boolean;
  /** Projects whose clients do not all hold the same document. */
  diverged: string[];
  /** Acknowledged edits missing from some client's document: `docName key acked=N seen=M`. */
  lostInClients: string[];
  /** Acknowledged edits missing from the durable log. */
  lostInDatabase: string[];
  /** Whether the durable log was checked. */
  databaseChecked: boolean;
  /** Projects whose stored document differs from the clients' (informational: agents may still write). */
  databaseDiffers: number;
  /** Edits sent but never acknowledged by the end. */
  unacknowledged: number;
}

export function checkClients(projects: ProjectClients[]): Pick<Verdict, 'diverged' | 'lostInClients' | 'unacknowledged'> {
  const diverged: string[] = [];
  const lostInClients: string[] = [];
  let unacknowledged = 0;
  for (const { docName, clients } of projects) {
    const [first, ...rest] = clients;
    if (rest.some((c) => !sameDocument(first.client.doc, c.client.doc))) diverged.push(docName);
    for (const writer of clients) {
      unacknowledged += writer.sent - writer.acked;
      if (writer.acked === 0) continue;
      for (const reader of clients) {
        const seen = probeValue(reader.client.doc, writer.key)?.s ?? 0;
        if (seen < writer.acked) lostInClients.push(`${docName} ${writer.key} acked=${writer.acked} seen=${seen}`);
      }
    }
  }
  return { diverged, lostInClients, unacknowledged };
}

export async function checkDatabase(sql: Db, projects: ProjectClients[]): Promise<Pick<Verdict, 'lostInDatabase' | 'databaseDiffers'>> {
  const lostInDatabase: string[] = [];
  let databaseDiffers = 0;
  for (const { docName, clients } of projects) {
    // Acks read before the log: an edit acknowledged after this read may be committed after it too.
    const ackedBefore = clients.map((c) => c.acked);
    const doc = new Y.Doc();
    try {
      applyStoredDoc(doc, await loadDoc(sql, docName));
      if (!sameDocument(doc, clients[0].client.doc)) databaseDiffers += 1;
      clients.forEach((writer, i) => {
        const stored = probeValue(doc, writer.key)?.s ?? 0;
        if (stored < ackedBefore[i]) lostInDatabase.push(`${docName} ${writer.key} acked=${ackedBefore[i]} stored=${stored}`);
      });
    } finally {
      doc.destroy();
    }
  }
  return { lostInDatabase, databaseDiffers };
}

/**
 * Wait (up to `timeoutMs`) for every edit to be acknowledged and every project to converge.
 * False when the time ran out: the client-side checks then see edits still in flight (an
 * overloaded server delivers them minutes late), so they prove nothing either way.
 */
export async function settle(projects: ProjectClients[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const c = checkClients(projects);
    if (c.unacknowledged === 0 && c.diverged.length === 0 && c.lostInClients.length === 0) return true;
    await new Promise((r) => setTimeout(r, 1_000));
  }
  return false;
}
