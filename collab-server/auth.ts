/**
 * Who may open which document, and whether they may write to it. The token says who the
 * caller is; PostgreSQL says what they may do now (a token issued before a role was lowered
 * must not keep the old rights), so the role comes from `memberships`, never from the token.
 *
 *                 work doc `project:<id>`    review doc `project:<id>:review`
 *   owner/editor  read-write                 read-write
 *   reviewer      read-only                  read-write   (comments, approvals)
 *   viewer        read-only                  read-only
 *   agent         read-write                 read-only    (one project, one job)
 *   service       read-write                 read-write   (the web API, acting for a checked user)
 */
import { z } from 'zod';
import type { Db } from '../lib/db/client';
import { parseDocName, type DocKind } from '../lib/db/docstore';
import { TokenError, verifyCollabToken, type CollabClaims } from '../lib/auth/tokens';

export type Access = 'read-write' | 'read-only';
export type EffectiveRole = 'owner' | 'editor' | 'reviewer' | 'viewer' | 'agent' | 'service';

/**
 * A refusal with a machine-readable reason: Hocuspocus sends `reason` to the client. The Error
 * message stays empty on purpose: Hocuspocus prints every hook error that has a message to
 * stderr, unstructured; we log refusals ourselves (pino, with `detail`).
 */
export class CollabRejection extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
    readonly code = 4403,
  ) {
    super('');
    this.name = 'CollabRejection';
  }
}

export interface Identity {
  /** User id, `agent:<jobId>` or `service:<name>`. */
  sub: string;
  /** The user id when the caller is a person (used for revocation), else null. */
  userId: string | null;
  name: string;
  role: EffectiveRole;
  jobId?: string;
}

export interface Authorization {
  identity: Identity;
  projectId: string;
  docKind: DocKind;
  access: Access;
}

const uuid = z.string().uuid();
const roleRow = z.object({ role: z.enum(['owner', 'editor', 'reviewer', 'viewer']) });

export function accessFor(role: EffectiveRole, kind: DocKind): Access {
  if (kind === 'work') return role === 'owner' || role === 'editor' || role === 'agent' || role === 'service' ? 'read-write' : 'read-only';
  return role === 'owner' || role === 'editor' || role === 'reviewer' || role === 'service' ? 'read-write' : 'read-only';
}

async function verify(token: string, secret: string): Promise<CollabClaims> {
  if (!token) throw new CollabRejection('token-missing', 'no token was sent', 4401);
  try {
    return await verifyCollabToken(token, secret);
  } catch (error) {
    if (error instanceof TokenError) {
      throw new CollabRejection(error.code === 'expired' ? 'token-expired' : 'token-invalid', error.message, 4401);
    }
    throw error;
  }
}

/**
 * Check a connection attempt. Throws CollabRejection with a clear reason; otherwise says
 * which access the connection gets.
 */
export async function authorize(sql: Db, secret: string, token: string, documentName: string): Promise<Authorization> {
  const doc = parseDocName(documentName);
  if (!doc) throw new CollabRejection('invalid-document', `"${documentName.slice(0, 100)}" is not a Koma document name`);
  const claims = await verify(token, secret);
  if (claims.projectId.toLowerCase() !== doc.projectId) {
    throw new CollabRejection('wrong-project', 'this token is for another project');
  }

  let identity: Identity;
  if (claims.role === 'agent' || claims.role === 'service') {
    if (claims.role === 'agent' && (!claims.jobId || claims.sub !== `agent:${claims.jobId}`)) {
      throw new CollabRejection('token-invalid', 'an agent token must name its job (sub = agent:<jobId>)', 4401);
    }
    if (claims.role === 'service' && !claims.sub.startsWith('service:')) {
      throw new CollabRejection('token-invalid', 'a service token must have sub = service:<name>', 4401);
    }
    const project = await sql`SELECT 1 FROM projects WHERE id = ${doc.projectId}`;
    if (project.length === 0) throw new CollabRejection('no-such-project', 'the project does not exist');
    identity = { sub: claims.sub, userId: null, name: claims.name, role: claims.role, jobId: claims.jobId };
  } else {
    if (!uuid.safeParse(claims.sub).success) throw new CollabRejection('token-invalid', 'a user token must carry a user id', 4401);
    const rows = await sql`SELECT role FROM memberships WHERE project_id = ${doc.projectId} AND user_id = ${claims.sub}`;
    if (rows.length === 0) throw new CollabRejection('not-a-member', 'you are not a member of this project');
    const { role } = roleRow.parse(rows[0]);
    identity = { sub: claims.sub, userId: claims.sub, name: claims.name, role };
  }
  return { identity, projectId: doc.projectId, docKind: doc.kind, access: accessFor(identity.role, doc.kind) };
}
