/**
 * The refresh token also travels as a cookie for browsers: HttpOnly (scripts cannot read it),
 * Secure (browsers treat http://localhost as secure, so this works in development too),
 * SameSite=Strict and scoped to /api/auth so no other request ever carries it.
 */
import { REFRESH_TOKEN_TTL_S } from './tokens';

export const REFRESH_COOKIE = 'koma_refresh';

export function refreshCookie(token: string): string {
  return `${REFRESH_COOKIE}=${token}; Path=/api/auth; Max-Age=${REFRESH_TOKEN_TTL_S}; HttpOnly; Secure; SameSite=Strict`;
}

export function clearRefreshCookie(): string {
  return `${REFRESH_COOKIE}=; Path=/api/auth; Max-Age=0; HttpOnly; Secure; SameSite=Strict`;
}

export function refreshTokenFromCookie(req: Request): string | null {
  const header = req.headers.get('cookie');
  if (!header) return null;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === REFRESH_COOKIE) {
      const value = rest.join('=');
      return /^[A-Za-z0-9_-]{20,200}$/.test(value) ? value : null;
    }
  }
  return null;
}
