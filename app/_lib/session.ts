/**
 * Client-side session: the access and refresh tokens live in localStorage (the API is
 * bearer-token based, not cookie based). A tiny store so components re-render when the
 * session changes in this tab or another one.
 */
import { useSyncExternalStore } from 'react';
import { SESSION_KEY } from './session-key';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
}
export interface Session {
  accessToken: string;
  refreshToken: string;
  user: SessionUser | null;
}

export { SESSION_KEY };
const listeners = new Set<() => void>();
let cached: { raw: string | null; value: Session | null } = { raw: null, value: null };

function read(): Session | null {
  if (typeof window === 'undefined') return null;
  const raw = window.localStorage.getItem(SESSION_KEY);
  if (raw === cached.raw) return cached.value;
  let value: Session | null = null;
  try {
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (parsed && typeof parsed === 'object' && 'accessToken' in parsed && 'refreshToken' in parsed) {
      value = parsed as Session;
    }
  } catch {
    value = null;
  }
  cached = { raw, value };
  return value;
}

function emit(): void {
  for (const fn of listeners) fn();
}

export function getSession(): Session | null {
  return read();
}

export function setSession(next: Session | null): void {
  const previous = read();
  if (next) window.localStorage.setItem(SESSION_KEY, JSON.stringify(next));
  else window.localStorage.removeItem(SESSION_KEY);
  // Signed out (or the session could not be renewed): this browser keeps nothing of their work.
  const left = previous?.user?.id;
  // Loaded on demand: pages without a studio need not carry IndexedDB and Yjs code.
  if (left && next?.user?.id !== left) void import('./offline').then((m) => m.forgetUser(left));
  emit();
}

export function subscribeSession(fn: () => void): () => void {
  listeners.add(fn);
  const onStorage = (e: StorageEvent) => {
    if (e.key === SESSION_KEY) fn();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(fn);
    window.removeEventListener('storage', onStorage);
  };
}

/** `undefined` during server render and hydration (unknown yet), then the session or null. */
export function useSession(): Session | null | undefined {
  return useSyncExternalStore(subscribeSession, () => read(), () => undefined);
}
