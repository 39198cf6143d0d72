import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { mulberry32 } from '../lib/rng';
import { UpdateGuard } from './guard';

/** A live document and an editor's update against it, with fixed client ids (reproducible). */
function fixture() {
  const live = new Y.Doc();
  live.clientID = 1;
  live.getText('source').insert(0, 'Once upon a time.');
  live.getMap('meta').set('title', 'T');
  const editor = new Y.Doc();
  editor.clientID = 2;
  Y.applyUpdate(editor, Y.encodeStateAsUpdate(live));
  const sv = Y.encodeStateVector(editor);
  editor.getText('source').insert(3, 'hello');
  editor.getArray('items').insert(0, ['a', { x: 1 }]);
  editor.getMap('meta').set('k', new Y.Text('zz'));
  return { live, update: Y.encodeStateAsUpdate(editor, sv) };
}

/** Seeded byte mutations of `update` that still decode but throw when applied to `base`. */
function poisonedUpdates(base: Uint8Array, update: Uint8Array, wanted: number): Uint8Array[] {
  const random = mulberry32(7);
  const found: Uint8Array[] = [];
  for (let i = 0; i < 50_000 && found.length < wanted; i += 1) {
    const m = Uint8Array.from(update);
    const at = Math.floor(random() * m.length);
    m[at] ^= 1 << Math.floor(random() * 8);
    try {
      Y.decodeUpdate(m);
    } catch {
      continue;
    }
    const probe = new Y.Doc();
    Y.applyUpdate(probe, base);
    try {
      Y.applyUpdate(probe, m);
    } catch {
      found.push(m);
    }
  }
  return found;
}

describe('UpdateGuard', () => {
  it('accepts an honest update and leaves the live document to apply it', () => {
    const { live, update } = fixture();
    const guard = new UpdateGuard(live);
    expect(guard.trial(update)).toBeNull();
    expect(live.getText('source').toString()).toBe('Once upon a time.');
    Y.applyUpdate(live, update);
    expect(live.getText('source').toString()).toBe('Onchelloe upon a time.');
  });

  it('refuses well-formed updates that Yjs cannot integrate, without touching the live document', () => {
    const { live, update } = fixture();
    const base = Y.encodeStateAsUpdate(live);
    const poisoned = poisonedUpdates(base, update, 3);
    expect(poisoned.length).toBeGreaterThan(0);
    const guard = new UpdateGuard(live);
    for (const bad of poisoned) expect(guard.trial(bad)).toEqual(expect.any(String));
    expect(Y.encodeStateAsUpdate(live)).toEqual(base);
    // The shadow was rebuilt after each failure: an honest update still passes.
    expect(guard.trial(update)).toBeNull();
  });

  it('follows the live document (mirror) and forgets refused trials (invalidate)', () => {
    const { live, update } = fixture();
    const guard = new UpdateGuard(live);
    live.on('update', (u: Uint8Array) => guard.mirror(u));
    expect(guard.trial(update)).toBeNull();
    guard.invalidate(); // the server refused it after the trial (e.g. storage unavailable)
    live.getText('source').insert(0, '» ');
    // A later update depending on the live change is tried against the rebuilt shadow.
    const editor = new Y.Doc();
    Y.applyUpdate(editor, Y.encodeStateAsUpdate(live));
    const sv = Y.encodeStateVector(editor);
    editor.getText('source').insert(2, 'X');
    expect(guard.trial(Y.encodeStateAsUpdate(editor, sv))).toBeNull();
  });
});
