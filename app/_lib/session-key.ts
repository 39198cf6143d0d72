/**
 * Where the client session is kept in localStorage. Its own module (no React) so the server
 * layout's inline script (early-projects.ts) can name it without pulling client hooks into a
 * Server Component.
 */
export const SESSION_KEY = 'koma.session';
