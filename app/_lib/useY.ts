'use client';
/**
 * React bindings for Yjs: re-render when a shared type (or anything under it) changes, and
 * read a derived value. A version counter keeps useSyncExternalStore's snapshot cheap and
 * stable; the derived value is recomputed only when that version moves.
 */
import { useCallback, useMemo, useRef, useSyncExternalStore } from 'react';
import { Doc as YDoc } from 'yjs';
import type * as Y from 'yjs';

/** Any shared type (observeDeep) or a whole doc. Structural, so Y.Map<X>, Y.Array<Y> etc. all fit. */
interface DeepObservable {
  observeDeep(fn: () => void): void;
  unobserveDeep(fn: () => void): void;
}
type Observable = DeepObservable | Y.Doc;

function subscribeTo(target: Observable | null, fn: () => void): () => void {
  if (!target) return () => {};
  if (!(target instanceof YDoc)) {
    target.observeDeep(fn);
    return () => target.unobserveDeep(fn);
  }
  // A whole doc: any update.
  target.on('update', fn);
  return () => target.off('update', fn);
}

/** A number that increments on every change under `target`. */
export function useYVersion(target: Observable | null): number {
  const version = useRef(0);
  const subscribe = useCallback(
    (notify: () => void) =>
      subscribeTo(target, () => {
        version.current++;
        notify();
      }),
    [target],
  );
  return useSyncExternalStore(
    subscribe,
    () => version.current,
    () => 0,
  );
}

/** `read(target)` recomputed whenever something under `target` changes. */
export function useY<T, O extends Observable>(target: O | null, read: (t: O) => T, fallback: T): T {
  const version = useYVersion(target);
  // `read` is usually an inline closure: depend on the version and target, not on its identity.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useMemo(() => (target ? read(target) : fallback), [target, version]);
}
