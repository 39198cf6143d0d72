/**
 * Security headers. API responses get a locked-down set (JSON is never rendered or framed);
 * pages get a nonce-based CSP built here and applied by the root `proxy.ts`.
 */

/** Headers on every API response. */
export const API_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  // Browsers ignore HSTS over plain http, so it is safe to send always.
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  // Authenticated JSON must never sit in a shared cache.
  'Cache-Control': 'no-store',
};

export interface PageCspOptions {
  /** Without a nonce inline scripts are allowed: statically prerendered pages cannot carry one. */
  nonce?: string;
  /** ws:// or wss:// origin of the collab-server the studio connects to. */
  collabUrl: string;
  dev?: boolean;
}

/**
 * CSP for HTML pages. With a nonce, scripts run only with this request's nonce (Next adds it to
 * its own inline scripts, but only on dynamically rendered pages); without one, Next's inline
 * bootstrap scripts need 'unsafe-inline'. Styles are inline because tldraw and Tiptap set style
 * attributes. Framing, plugins, foreign form targets and foreign connections are shut off.
 */
export function pageCsp({ nonce, collabUrl, dev = false }: PageCspOptions): string {
  let collabOrigin = '';
  try {
    const url = new URL(collabUrl);
    collabOrigin = `${url.protocol}//${url.host}`;
  } catch {
    collabOrigin = '';
  }
  const directives = [
    "default-src 'self'",
    `script-src 'self' ${nonce ? `'nonce-${nonce}' 'strict-dynamic'` : "'unsafe-inline'"}${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // data:/blob: because the canvas fetches pasted and exported images through them.
    `connect-src 'self' data: blob:${collabOrigin ? ` ${collabOrigin}` : ''}${dev ? ' ws: wss:' : ''}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  return directives.join('; ');
}

export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};
