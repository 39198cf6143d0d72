import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { inspectFrame, parseClientMessage } from './protocol';
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

describe('inspectFrame', () => {
  const name = 'project:8f0c2a4e-6b1d-4c3e-9a7f-0123456789ab';
  const frame = (write: (e: encoding.Encoder) => void, address = name) => {
    const e = encoding.createEncoder();
    encoding.writeVarString(e, address);
    write(e);
    return encoding.toUint8Array(e);
  };
  const doc = new Y.Doc();
  doc.getText('t').insert(0, 'hi');
  const awareness = (entries: Array<[number, number, string]>) => {
    const e = encoding.createEncoder();
    encoding.writeVarUint(e, entries.length);
    for (const [id, clock, json] of entries) {
      encoding.writeVarUint(e, id);
      encoding.writeVarUint(e, clock);
      encoding.writeVarString(e, json);
    }
    return encoding.toUint8Array(e);
  };
  const valid: Record<string, Uint8Array> = {
    auth: frame((e) => { encoding.writeVarUint(e, 2); encoding.writeVarUint(e, 0); encoding.writeVarString(e, 'a.b.c'); encoding.writeVarString(e, '4.8.0'); }),
    step1: frame((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 0); encoding.writeVarUint8Array(e, Y.encodeStateVector(doc)); }),
    update: frame((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 2); encoding.writeVarUint8Array(e, Y.encodeStateAsUpdate(doc)); }),
    awareness: frame((e) => { encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, awareness([[12, 3, '{"user":{"name":"A"}}'], [13, 4, 'null']])); }),
    query: frame((e) => encoding.writeVarUint(e, 3)),
    stateless: frame((e) => { encoding.writeVarUint(e, 5); encoding.writeVarString(e, '{"x":1}'); }),
    close: frame((e) => encoding.writeVarUint(e, 7)),
  };

  it('accepts every message a provider sends, and a lone Pong', () => {
    for (const [what, bytes] of Object.entries(valid)) expect(inspectFrame(bytes), what).toMatchObject({ ok: true, kind: 'message', address: name });
    expect(inspectFrame(frame((e) => encoding.writeVarUint(e, 3), `${name}\0session`))).toMatchObject({ ok: true, address: `${name}\0session` });
    expect(inspectFrame(new Uint8Array([10]))).toEqual({ ok: true, kind: 'pong' });
  });

  it('rejects every truncation of every valid frame', () => {
    for (const [what, bytes] of Object.entries(valid)) {
      for (let cut = 0; cut < bytes.length; cut += 1) {
        // Cutting a trailing optional field (the provider version) leaves a valid older Auth.
        const verdict = inspectFrame(bytes.slice(0, cut));
        if (what === 'auth' && cut === bytes.length - 6) continue;
        expect(verdict.ok, `${what} cut at ${cut}`).toBe(false);
      }
    }
  });

  it('names what is wrong: trailing bytes, huge lengths, unknown types, bad awareness', () => {
    const reason = (bytes: Uint8Array) => {
      const v = inspectFrame(bytes);
      return v.ok ? 'ok' : v.reason;
    };
    expect(reason(new Uint8Array([...valid.query, 0]))).toMatch(/unexpected bytes/);
    const huge = (n: number) => frame((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 2); encoding.writeVarUint(e, n); });
    expect(reason(huge(2 ** 31))).toMatch(/claims 2147483648 bytes/);
    expect(reason(huge(2 ** 53))).toMatch(/claims|Integer out of Range/);
    expect(reason(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toMatch(/document address/);
    expect(reason(frame((e) => encoding.writeVarUint(e, 6)))).toMatch(/type 6 is not one a client sends/);
    expect(reason(frame((e) => encoding.writeVarUint(e, 99)))).toMatch(/type 99/);
    expect(reason(frame((e) => { encoding.writeVarUint(e, 0); encoding.writeVarUint(e, 3); }))).toMatch(/sync step 3/);
    expect(reason(frame((e) => { encoding.writeVarUint(e, 2); encoding.writeVarUint(e, 1); encoding.writeVarString(e, 'x'); }))).toMatch(/only send a token/);
    expect(reason(frame((e) => { encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, awareness([[1, 1, '{nope']])); }))).toMatch(/not JSON/);
    expect(reason(frame((e) => { encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, awareness([[2 ** 40, 1, '{}']])); }))).toMatch(/32-bit/);
    expect(reason(frame((e) => { encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, awareness([[1, 1, '[1]']])); }))).toMatch(/neither an object/);
    expect(reason(frame(() => {}, ''))).toMatch(/document address|empty/);
    expect(reason(frame((e) => encoding.writeVarUint(e, 3), 'x'.repeat(300)))).toMatch(/longer than 256/);
    // Invalid UTF-8 in the address.
    expect(reason(new Uint8Array([2, 0xc3, 0x28, 3]))).toMatch(/document address/);
    // Huge awareness clocks are numbers a client may send (2^53 - 1 is the largest varUint lib0 reads).
    expect(reason(frame((e) => { encoding.writeVarUint(e, 1); encoding.writeVarUint8Array(e, awareness([[1, Number.MAX_SAFE_INTEGER, '{}']])); }))).toBe('ok');
  });
});
