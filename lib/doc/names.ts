/**
 * Names of the Yjs documents of a project, as Hocuspocus sees them.
 *
 * One project = two documents: the work (`project:<uuid>`) and its companion review document
 * (`project:<uuid>:review`). They are split so the collab-server can give reviewers write access
 * to comments and approvals while the work stays read-only for them.
 *
 * Names are canonical (lower-case uuid): two spellings of one project would otherwise be two
 * documents with diverging content, so anything that is not exactly canonical is rejected.
 */
import { z } from 'zod';

export type DocKind = 'work' | 'review';
export interface ParsedDocName {
  projectId: string;
  kind: DocKind;
}

// zod's uuid is the same check the token contract (lib/auth/tokens.ts) applies to projectId,
// so a name we accept always corresponds to a projectId a token can carry.
const uuid = z.uuid();
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isProjectId(value: string): boolean {
  return LOWER_UUID.test(value) && uuid.safeParse(value).success;
}

function canonicalProjectId(projectId: string): string {
  const id = projectId.toLowerCase();
  if (!isProjectId(id)) throw new TypeError(`not a project id (uuid): ${JSON.stringify(projectId)}`);
  return id;
}

export function workDocName(projectId: string): string {
  return `project:${canonicalProjectId(projectId)}`;
}

export function reviewDocName(projectId: string): string {
  return `project:${canonicalProjectId(projectId)}:review`;
}

/** `project:<uuid>` → work, `project:<uuid>:review` → review, anything else → null. */
export function parseDocName(name: string): ParsedDocName | null {
  const m = /^project:([^:]+)(:review)?$/.exec(name);
  if (!m) return null;
  const projectId = m[1];
  if (!isProjectId(projectId)) return null;
  return { projectId, kind: m[2] ? 'review' : 'work' };
}
