/**
 * Security headers for the studio's pages (Next 16 calls this file `proxy.ts`; it used to be
 * `middleware.ts`). API routes set their own stricter headers in lib/http/handler.ts, and
 * static files need none, so they are not matched. Runs at request time, so the CSP names the
 * collab-server origin of this deployment rather than one baked in at build time.
 */
import { NextResponse } from 'next/server';
import { PAGE_SECURITY_HEADERS, pageCsp } from './lib/http/security-headers';

function collabUrl(): string {
  return process.env.COLLAB_PUBLIC_URL || `ws://localhost:${process.env.COLLAB_PORT || '1234'}`;
}

export function proxy(): NextResponse {
  const response = NextResponse.next();
  const csp = pageCsp({ collabUrl: collabUrl(), dev: process.env.NODE_ENV === 'development' });
  response.headers.set('Content-Security-Policy', csp);
  for (const [name, value] of Object.entries(PAGE_SECURITY_HEADERS)) response.headers.set(name, value);
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico|tldraw/|fonts/).*)',
      // Prefetches get no HTML worth protecting; skip the work.
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
