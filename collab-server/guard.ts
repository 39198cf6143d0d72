/**
 * The write guard: an update is tried on a shadow copy of the document before it is logged.
 *
 * Why: `Y.decodeUpdate` only checks that an update is well formed. Some well-formed updates still
 * throw when Yjs integrates them against the live document (e.g. an item whose parent id names
 * an item that is not a type: fuzzing found ~1 in 70 decodable bit-flipped updates does this).
 * The collab-server logs an update *before* applying it (write-ahead), so such an update would be
 * durable yet unappliable: the live document half-applies it and every later load of the
 * document fails. Trying it on a shadow first rejects it while nothing has been written.
 *
 * The shadow mirrors every change of the live document (Yjs updates are idempotent, so an
 * update already tried is skipped cheaply when the live document re-emits it). After a failed
 * trial, or a tried update the server then refused, the shadow may hold what the live document
 * does not: it is marked stale and rebuilt from the live document before the next trial.
 * Cost: a second copy of each loaded document in memory, and applying each update twice.
 */
import * as Y from 'yjs';

export class UpdateGuard {
  private shadow: Y.Doc | null = null;

  constructor(private readonly live: Y.Doc) {}

  /** Keep the shadow in step with a change of the live document (its 'update' event). */
  mirror(update: Uint8Array): void {
    if (!this.shadow) return;
    try {
      Y.applyUpdate(this.shadow, update);
    } catch {
      // The live document accepted it; a shadow that cannot follow is rebuilt on the next trial.
      this.invalidate();
    }
  }

  /**
   * Try `update` on the shadow. Returns an error message when Yjs cannot integrate it, null when
   * it integrates. A successful trial leaves the update in the shadow: call `invalidate()` when
   * the update is not then applied to the live document.
   */
  trial(update: Uint8Array): string | null {
    if (!this.shadow) {
      this.shadow = new Y.Doc({ gc: this.live.gc });
      Y.applyUpdate(this.shadow, Y.encodeStateAsUpdate(this.live));
    }
    try {
      Y.applyUpdate(this.shadow, update);
      return null;
    } catch (error) {
      this.invalidate();
      return error instanceof Error ? error.message : String(error);
    }
  }

  /** Forget the shadow (it may differ from the live document); rebuilt lazily. */
  invalidate(): void {
    this.shadow?.destroy();
    this.shadow = null;
  }
}
