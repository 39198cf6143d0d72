/**
 * Who may speak for an awareness client id, per document.
 *
 * Why: y-protocols awareness trusts the client id inside each update, and a higher clock wins.
 * Without this, any connection — a viewer too — could overwrite another person's presence (name,
 * cursor) with a huge clock, and that person's own updates would then be ignored for as long as
 * the document stays loaded (the fuzz found this). The first socket to send a state for a client
 * id owns it on that document until it disconnects; states for ids another socket owns are
 * dropped from the update before it is applied or broadcast.
 *
 * Per instance: a client id owned on another instance is not known here (see README, known limits).
 */
export class AwarenessOwners {
  /** document → client id → socket id */
  private readonly owners = new Map<string, Map<number, string>>();

  /**
   * Claim the ids `socketId` speaks for in `states` and remove from `states` (in place) the ones
   * another socket owns. Returns the removed ids.
   */
  filter(doc: string, socketId: string, states: Map<number, unknown>): number[] {
    let owned = this.owners.get(doc);
    if (!owned) this.owners.set(doc, (owned = new Map()));
    const dropped: number[] = [];
    for (const clientId of [...states.keys()]) {
      const owner = owned.get(clientId);
      if (owner === undefined) owned.set(clientId, socketId);
      else if (owner !== socketId) {
        states.delete(clientId);
        dropped.push(clientId);
      }
    }
    return dropped;
  }

  /** The socket left the document: its ids are free again (a reconnecting provider keeps its id). */
  release(doc: string, socketId: string): void {
    const owned = this.owners.get(doc);
    if (!owned) return;
    for (const [clientId, owner] of owned) if (owner === socketId) owned.delete(clientId);
    if (owned.size === 0) this.owners.delete(doc);
  }

  /** The document was unloaded. */
  forget(doc: string): void {
    this.owners.delete(doc);
  }

  /** How many ids are owned on a document (for tests and gauges). */
  count(doc: string): number {
    return this.owners.get(doc)?.size ?? 0;
  }
}
