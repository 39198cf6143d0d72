/**
 * Signed tokens (HS256, jose): access (1 h, seed), collab (short-lived, for one project and
 * role on the collab-server) and agent collab tokens (one project, one job).
 * Refresh tokens are opaque random strings stored hashed in PostgreSQL (lib/auth/refresh.ts).
 */
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';

export const ACCESS_TOKEN_TTL_S = 60 * 60;
export const REFRESH_TOKEN_TTL_S = 7 * 24 * 60 * 60;
export const COLLAB_TOKEN_TTL_S = 10 * 60;
const ISSUER = 'koma';

export const ROLES = ['owner', 'editor', 'reviewer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

const accessClaims = z.object({
  typ: z.literal('access'),
  sub: z.string().uuid(),
  email: z.string(),
  name: z.string(),
});
export type AccessClaims = z.infer<typeof accessClaims>;

const collabClaims = z.object({
  typ: z.literal('collab'),
  /** A user id, or `agent:<jobId>` for an agent, or `service:<name>` for a server-side writer. */
  sub: z.string().min(1),
  projectId: z.string().uuid(),
  /** `agent` may write the work doc of its one project; `service` is the web API acting for a checked user. */
  role: z.enum([...ROLES, 'agent', 'service']),
  name: z.string(),
  jobId: z.string().optional(),
});
export type CollabClaims = z.infer<typeof collabClaims>;

export class TokenError extends Error {
  constructor(
    readonly code: 'expired' | 'invalid',
    message: string,
  ) {
    super(message);
    this.name = 'TokenError';
  }
}

function key(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

async function sign(payload: Record<string, unknown>, secret: string, ttlSeconds: number): Promise<string> {
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key(secret));
}

async function verify<T>(token: string, secret: string, schema: z.ZodType<T>): Promise<T> {
  try {
    // algorithms pinned: `alg: none` and any other algorithm are rejected by jose.
    const { payload } = await jwtVerify(token, key(secret), { issuer: ISSUER, algorithms: ['HS256'] });
    const parsed = schema.safeParse(payload);
    if (!parsed.success) throw new TokenError('invalid', 'token has the wrong shape');
    return parsed.data;
  } catch (error) {
    if (error instanceof TokenError) throw error;
    if (error instanceof joseErrors.JWTExpired) throw new TokenError('expired', 'token has expired');
    throw new TokenError('invalid', 'token is not valid');
  }
}

export function signAccessToken(claims: Omit<AccessClaims, 'typ'>, secret: string, ttlSeconds = ACCESS_TOKEN_TTL_S): Promise<string> {
  return sign({ ...claims, typ: 'access' }, secret, ttlSeconds);
}

export function verifyAccessToken(token: string, secret: string): Promise<AccessClaims> {
  return verify(token, secret, accessClaims);
}

export function signCollabToken(claims: Omit<CollabClaims, 'typ'>, secret: string, ttlSeconds = COLLAB_TOKEN_TTL_S): Promise<string> {
  return sign({ ...claims, typ: 'collab' }, secret, ttlSeconds);
}

export function verifyCollabToken(token: string, secret: string): Promise<CollabClaims> {
  return verify(token, secret, collabClaims);
}
