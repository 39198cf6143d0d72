import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { parseClientMessage } from './protocol';
import { accessFor } from './auth';
import { parseRevocation } from './revocation';

function message(write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, 'project:8f0c2a4e-6b1d-4c3e-9a7f-0123456789ab');
  write(e);
  return encoding.toUint8Array(e);
}

describe('parseClientMessage', () => {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'hi');
  const update = Y.encodeStateAsUpdate(doc);

  it('finds the update in Sync/Update and Sync/Step2 (and SyncReply)', () => {
    for (const type of [0, 4]) {
      for (const sub of [1, 2]) {
        const parsed = parseClientMessage(
          message((e) => {
            encoding.writeVarUint(e, type);
            encoding.writeVarUint(e, sub);
            encoding.writeVarUint8Array(e, update);
          }),
        );
        expect(parsed).toEqual({ kind: 'write', update });
      }
    }
  });

  it('treats Step1, awareness and auth as non-writes', () => {
    expect(parseClientMessage(message((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 0); encoding.writeVarUint8Array(e, Y.encodeStateVector(doc)); })).kind).toBe('other');
    expect(parseClientMessage(message((e) => encoding.writeVarUint(e, 1))).kind).toBe('other');
    expect(parseClientMessage(message((e) => encoding.writeVarUint(e, 2))).kind).toBe('other');
  });

  it('reports truncated frames as malformed', () => {
    const full = message((e) => {
      encoding.writeVarUint(e, 0);
      encoding.writeVarUint(e, 2);
      encoding.writeVarUint8Array(e, update);
    });
    expect(parseClientMessage(full.slice(0, full.length - 3)).kind).toBe('malformed');
    expect(parseClientMessage(new Uint8Array([200])).kind).toBe('malformed');
  });
});

describe('accessFor', () => {
  it('follows the role table', () => {
    expect(accessFor('owner', 'work')).toBe('read-write');
    expect(accessFor('editor', 'review')).toBe('read-write');
    expect(accessFor('reviewer', 'work')).toBe('read-only');
    expect(accessFor('reviewer', 'review')).toBe('read-write');
    expect(accessFor('viewer', 'work')).toBe('read-only');
    expect(accessFor('viewer', 'review')).toBe('read-only');
    expect(accessFor('agent', 'work')).toBe('read-write');
    expect(accessFor('agent', 'review')).toBe('read-only');
    expect(accessFor('service', 'review')).toBe('read-write');
  });
});

describe('parseRevocation', () => {
  it('accepts only {projectId, userId} uuids', () => {
    const projectId = '8f0c2a4e-6b1d-4c3e-9a7f-0123456789ab';
    const userId = '1f0c2a4e-6b1d-4c3e-9a7f-0123456789ab';
    expect(parseRevocation(JSON.stringify({ projectId, userId }))).toEqual({ projectId, userId });
    expect(parseRevocation(JSON.stringify({ projectId }))).toBeNull();
    expect(parseRevocation('not json')).toBeNull();
    expect(parseRevocation(JSON.stringify({ projectId: 'x', userId }))).toBeNull();
  });
});
