/**
 * Protocol fuzzing of the collab-server: real server, real PostgreSQL and Redis, real sockets
 * speaking the Hocuspocus 4 framing (varString address, varUint type, payload), fed seeded
 * hostile frames — random bytes, mutated and truncated valid frames, lengths claiming 2^31 and
 * 2^53 bytes, Yjs updates with garbage structs, hostile awareness, frames for documents the
 * socket has not opened and frames sent before authentication — from an editor and from a viewer.
 *
 * After every batch: no uncaught exception, /health answers, the bystander document (another
 * project, live clients) is byte-identical and still carries edits, the fuzzed document reloads
 * from PostgreSQL and still holds every acknowledged honest edit, the honest client's presence
 * is still its own, a viewer batch stored nothing, and every socket the server closed was given
 * a reason.
 *
 * FUZZ_RUNS=<batches per role> and FUZZ_SEED=<n> run it longer or differently (npm run fuzz).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '@hocuspocus/server';
import * as encoding from 'lib0/encoding';
import pino from 'pino';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { applyStoredDoc, loadDoc } from '../../lib/db/docstore';
import type { EmbeddedRedis } from '../../lib/redis/embedded';
import { metricsRegistry } from '../../lib/metrics';
import { mulberry32, type Rng } from '../../lib/rng';
import { startCollabServer, type CollabServer } from '../../collab-server/server';
import { startTestDatabase, startTestRedis, type TestDatabase } from '../support/services';
import { acked, clientPool, createProject, SECRET, synced, userToken, waitFor, type Client, type TestProject } from './collab-support';

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
/** Socket sessions per role (editor, viewer); each sends 1–8 hostile frames. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
/** Harness bound for a test (not an assertion): generous, and growing with the budget. */
const TEST_TIMEOUT_MS = Math.max(600_000, RUNS * 5_000);
/** A fresh provider connects and syncs every this many batches (and always at the end). */
const FRESH_PROVIDER_EVERY = 20;

const Msg = { Sync: 0, Awareness: 1, Auth: 2, QueryAwareness: 3, SyncReply: 4, Stateless: 5, BroadcastStateless: 6, Close: 7 } as const;
const HUGE = [2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53];

// ---- process-wide failure traps -------------------------------------------------------------
const uncaught: string[] = [];
const onUncaught = (error: unknown) => uncaught.push(`uncaughtException: ${String((error as Error)?.stack ?? error)}`);
const onUnhandled = (error: unknown) => uncaught.push(`unhandledRejection: ${String((error as Error)?.stack ?? error)}`);

// ---- frames ------------------------------------------------------------------------------------
function frame(address: string, write: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarString(e, address);
  write(e);
  return encoding.toUint8Array(e);
}
const authFrame = (doc: string, token: string) =>
  frame(doc, (e) => {
    encoding.writeVarUint(e, Msg.Auth);
    encoding.writeVarUint(e, 0);
    encoding.writeVarString(e, token);
    encoding.writeVarString(e, '4.8.0');
  });
const syncFrame = (doc: string, step: number, payload: Uint8Array, type: number = Msg.Sync) =>
  frame(doc, (e) => {
    encoding.writeVarUint(e, type);
    encoding.writeVarUint(e, step);
    encoding.writeVarUint8Array(e, payload);
  });
const awarenessFrame = (doc: string, payload: Uint8Array) =>
  frame(doc, (e) => {
    encoding.writeVarUint(e, Msg.Awareness);
    encoding.writeVarUint8Array(e, payload);
  });
function awarenessPayload(entries: Array<[number, number, string]>): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const [id, clock, json] of entries) {
    encoding.writeVarUint(e, id);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, json);
  }
  return encoding.toUint8Array(e);
}

// ---- generators --------------------------------------------------------------------------------
interface Ctx {
  r: Rng;
  doc: string;
  /** Another project's document this socket is not authorised for. */
  foreign: string;
  /** The live state of the fuzzed document (to shape updates against real items). */
  state: Uint8Array;
  token: string;
  /** Client ids of honest clients (to impersonate in awareness). */
  honestIds: number[];
  /**
   * The honest writer's Yjs client id. Garbage structs never point at its items: a struct that
   * integrates is a legitimate edit an editor may make (even over the honest values), and the
   * check "acknowledged honest edits are kept" must only fail when the server loses them.
   */
  protectedClient: number;
}
const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T,>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];
const bytes = (r: Rng, n: number) => Uint8Array.from({ length: n }, () => int(r, 256));

/** An honest-looking update: a local replica of the live document makes a few edits. */
function realUpdate(c: Ctx): Uint8Array {
  const d = new Y.Doc();
  Y.applyUpdate(d, c.state);
  const sv = Y.encodeStateVector(d);
  const t = d.getText('fuzz');
  for (let i = 0, n = 1 + int(c.r, 3); i < n; i += 1) {
    const roll = int(c.r, 4);
    if (roll === 0) d.getMap('fuzzmap').set(`k${int(c.r, 5)}`, pick(c.r, ['a', 1, null, { x: [1, 2] }, new Y.Text('t'), new Y.Map()]));
    else if (roll === 1) d.getArray('fuzzarr').insert(0, [int(c.r, 100)]);
    else if (roll === 2 && t.length > 2) t.delete(int(c.r, t.length - 1), 1);
    else t.insert(int(c.r, t.length + 1), String.fromCharCode(97 + int(c.r, 26)).repeat(1 + int(c.r, 4)));
  }
  const update = Y.encodeStateAsUpdate(d, sv);
  d.destroy();
  return update;
}

/**
 * An update that decodes (Y.decodeUpdate accepts it) but throws when Yjs integrates it into the
 * document as it is now: one bit flipped in an update that nests types. Found by trying flips
 * on a scratch copy (the test's own oracle); null when none of the tries qualifies.
 */
function poisonedUpdate(c: Ctx, tries = 300): Uint8Array | null {
  const d = new Y.Doc();
  Y.applyUpdate(d, c.state);
  const sv = Y.encodeStateVector(d);
  d.getMap('fuzzmap').set(`n${int(c.r, 9)}`, new Y.Text('zz'));
  d.getArray('fuzzarr').insert(0, ['a', { x: 1 }]);
  d.getText('fuzz').insert(0, 'hello');
  const update = Y.encodeStateAsUpdate(d, sv);
  d.destroy();
  for (let i = 0; i < tries; i += 1) {
    const m = Uint8Array.from(update);
    m[int(c.r, m.length)] ^= 1 << int(c.r, 8);
    try {
      Y.decodeUpdate(m);
    } catch {
      continue;
    }
    const probe = new Y.Doc();
    try {
      Y.applyUpdate(probe, c.state);
      Y.applyUpdate(probe, m);
    } catch {
      return m;
    } finally {
      probe.destroy();
    }
  }
  return null;
}

/** Flip bits, overwrite, insert or delete bytes. */
function mutate(r: Rng, input: Uint8Array, times = 1 + int(r, 4)): Uint8Array {
  let m = Array.from(input);
  for (let i = 0; i < times; i += 1) {
    const at = int(r, Math.max(1, m.length));
    switch (int(r, 4)) {
      case 0:
        if (m.length) m[at] ^= 1 << int(r, 8);
        break;
      case 1:
        if (m.length) m[at] = int(r, 256);
        break;
      case 2:
        m.splice(at, 0, ...bytes(r, 1 + int(r, 3)));
        break;
      default:
        m.splice(at, 1 + int(r, 2));
    }
  }
  return Uint8Array.from(m);
}

/**
 * A valid-shaped Yjs v1 update whose structs are garbage: random info bits, origins pointing
 * anywhere (often at real items of the document), random parents, content and delete sets.
 */
function garbageUpdate(c: Ctx): Uint8Array {
  const r = c.r;
  const known = [...Y.decodeStateVector(Y.encodeStateVectorFromUpdate(c.state)).entries()].filter(([cl]) => cl !== c.protectedClient);
  const randomClient = () => {
    const cl = int(r, 2 ** 32);
    return cl === c.protectedClient ? cl + 1 : cl;
  };
  const someId = (): [number, number] => {
    if (known.length && r() < 0.7) {
      const [cl, clock] = pick(r, known);
      return [cl, int(r, clock + 2)];
    }
    return [randomClient(), int(r, 1000)];
  };
  const e = encoding.createEncoder();
  const clients = 1 + int(r, 2);
  encoding.writeVarUint(e, clients);
  for (let ci = 0; ci < clients; ci += 1) {
    const structs = 1 + int(r, 4);
    encoding.writeVarUint(e, structs);
    encoding.writeVarUint(e, r() < 0.3 && known.length ? pick(r, known)[0] : randomClient());
    encoding.writeVarUint(e, r() < 0.5 ? 0 : int(r, 2 ** 20));
    for (let s = 0; s < structs; s += 1) {
      const ref = pick(r, [0, 1, 2, 3, 4, 4, 4, 5, 6, 7, 7, 8, 9, 10]);
      const origin = r() < 0.5;
      const right = r() < 0.4;
      const sub = r() < 0.3;
      encoding.writeUint8(e, (origin ? 0x80 : 0) | (right ? 0x40 : 0) | (sub ? 0x20 : 0) | ref);
      if (ref === 0 || ref === 10) {
        encoding.writeVarUint(e, r() < 0.1 ? pick(r, HUGE.slice(0, 3)) : 1 + int(r, 50));
        continue;
      }
      if (origin) for (const v of someId()) encoding.writeVarUint(e, v);
      if (right) for (const v of someId()) encoding.writeVarUint(e, v);
      if (!origin && !right) {
        if (r() < 0.5) {
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, pick(r, ['source', 'meta', 'fuzz', 'honest', '', 'x'.repeat(int(r, 40))]));
        } else {
          encoding.writeVarUint(e, 0);
          for (const v of someId()) encoding.writeVarUint(e, v);
        }
        if (sub) encoding.writeVarString(e, pick(r, ['title', 'k', '__proto__', '']));
      }
      switch (ref) {
        case 1:
          encoding.writeVarUint(e, 1 + int(r, 10));
          break;
        case 2:
          encoding.writeVarUint(e, 1);
          encoding.writeVarString(e, pick(r, ['1', '{"a":1}', 'undefined', '{bad']));
          break;
        case 3:
          encoding.writeVarUint8Array(e, bytes(r, int(r, 10)));
          break;
        case 4:
          encoding.writeVarString(e, 'garbage'.slice(0, 1 + int(r, 7)));
          break;
        case 5:
          encoding.writeVarString(e, pick(r, ['{}', '{bad', 'null']));
          break;
        case 6:
          encoding.writeVarString(e, 'bold');
          encoding.writeVarString(e, pick(r, ['true', '{bad']));
          break;
        case 7:
          encoding.writeVarUint(e, int(r, 8)); // type ref; 3 (XmlElement) and 5 (XmlHook) carry a name
          if (r() < 0.5) encoding.writeVarString(e, 'p');
          break;
        case 8:
          encoding.writeVarUint(e, 1);
          encoding.writeAny(e, pick(r, [1, 'x', null, { a: [1] }]));
          break;
        default:
          encoding.writeVarString(e, `guid-${int(r, 9)}`);
          encoding.writeAny(e, {});
      }
    }
  }
  // Delete set: clients, then (clock, len) ranges.
  const dsClients = int(r, 3);
  encoding.writeVarUint(e, dsClients);
  for (let i = 0; i < dsClients; i += 1) {
    const [cl] = someId();
    encoding.writeVarUint(e, cl);
    const ranges = 1 + int(r, 2);
    encoding.writeVarUint(e, ranges);
    for (let k = 0; k < ranges; k += 1) {
      encoding.writeVarUint(e, int(r, 50));
      encoding.writeVarUint(e, r() < 0.1 ? pick(r, HUGE.slice(0, 3)) : 1 + int(r, 5));
    }
  }
  return encoding.toUint8Array(e);
}

/** Every well-formed message a client may send, addressed to the fuzzed document. */
function validFrames(c: Ctx): Uint8Array[] {
  const update = realUpdate(c);
  return [
    authFrame(c.doc, c.token),
    syncFrame(c.doc, 0, Y.encodeStateVectorFromUpdate(c.state)),
    syncFrame(c.doc, 1, update),
    syncFrame(c.doc, 2, update),
    syncFrame(c.doc, 2, update, Msg.SyncReply),
    awarenessFrame(c.doc, awarenessPayload([[1 + int(c.r, 2 ** 31), 1, JSON.stringify({ user: { name: 'fuzz' } })]])),
    frame(c.doc, (e) => encoding.writeVarUint(e, Msg.QueryAwareness)),
    frame(c.doc, (e) => {
      encoding.writeVarUint(e, Msg.Stateless);
      encoding.writeVarString(e, '{"ping":1}');
    }),
  ];
}

type Generator = (c: Ctx) => Uint8Array;

/** A frame whose length fields claim far more bytes than it has. */
const hugeLength: Generator = (c) => {
  const n = pick(c.r, HUGE);
  const claim = (e: encoding.Encoder) => encoding.writeVarUint(e, n);
  const forms: Array<() => Uint8Array> = [
    () => { const e = encoding.createEncoder(); claim(e); encoding.writeUint8Array(e, bytes(c.r, int(c.r, 20))); return encoding.toUint8Array(e); },
    () => frame(c.doc, (e) => { encoding.writeVarUint(e, Msg.Sync); encoding.writeVarUint(e, pick(c.r, [0, 1, 2])); claim(e); encoding.writeUint8Array(e, bytes(c.r, 8)); }),
    () => frame(c.doc, (e) => { encoding.writeVarUint(e, Msg.Awareness); claim(e); }),
    () => awarenessFrame(c.doc, (() => { const e = encoding.createEncoder(); claim(e); encoding.writeVarUint(e, 1); return encoding.toUint8Array(e); })()),
    () => awarenessFrame(c.doc, (() => { const e = encoding.createEncoder(); encoding.writeVarUint(e, 1); encoding.writeVarUint(e, 7); encoding.writeVarUint(e, 1); claim(e); encoding.writeUint8Array(e, bytes(c.r, 4)); return encoding.toUint8Array(e); })()),
    () => frame(c.doc, (e) => { encoding.writeVarUint(e, Msg.Auth); encoding.writeVarUint(e, 0); claim(e); }),
    () => frame(c.doc, (e) => { encoding.writeVarUint(e, Msg.Stateless); claim(e); }),
    () => syncFrame(c.doc, 0, (() => { const e = encoding.createEncoder(); claim(e); return encoding.toUint8Array(e); })()),
    () => frame(c.doc, (e) => claim(e)), // message type itself huge
  ];
  return pick(c.r, forms)();
};

const generators: Record<string, Generator> = {
  randomBytes: (c) => bytes(c.r, int(c.r, 3) === 0 ? int(c.r, 4) : int(c.r, 300)),
  mutatedFrame: (c) => mutate(c.r, pick(c.r, validFrames(c))),
  truncatedFrame: (c) => {
    const f = pick(c.r, validFrames(c));
    return f.slice(0, int(c.r, f.length));
  },
  hugeLength,
  mutatedUpdate: (c) => {
    // One flipped bit keeps most updates decodable; some of those no longer apply (guard.ts).
    let update = realUpdate(c);
    if (c.r() < 0.5) update[int(c.r, update.length)] ^= 1 << int(c.r, 8);
    else update = mutate(c.r, update);
    return syncFrame(c.doc, pick(c.r, [1, 2]), update, pick(c.r, [Msg.Sync, Msg.SyncReply]));
  },
  garbageStructs: (c) => syncFrame(c.doc, pick(c.r, [1, 2]), garbageUpdate(c)),
  poisonedUpdate: (c) => syncFrame(c.doc, pick(c.r, [1, 2]), poisonedUpdate(c) ?? mutate(c.r, realUpdate(c))),
  hostileAwareness: (c) => {
    const r = c.r;
    const own = 1 + int(r, 2 ** 31);
    const forms: Array<() => Uint8Array> = [
      () => awarenessPayload([[own, Number.MAX_SAFE_INTEGER, '{"user":{"name":"late"}}']]),
      () => awarenessPayload([[own, 1, JSON.stringify({ blob: 'x'.repeat(50_000 + int(r, 200_000)) })]]),
      () => awarenessPayload([[own, 1, JSON.stringify({ deep: JSON.parse('['.repeat(500) + ']'.repeat(500)) })]]),
      () => awarenessPayload([[own, 1, pick(r, ['{bad', '', 'undefined', '[1,2]', '"str"', '42', '{"a":'])]]),
      () => awarenessPayload([[c.honestIds.length ? pick(r, c.honestIds) : own, 2 ** 40, '{"user":{"name":"impostor"}}']]),
      () => awarenessPayload([[2 ** 40 + int(r, 1000), 1, '{}']]),
      () => awarenessPayload(Array.from({ length: 1 + int(r, 50) }, (_, i) => [own + i, int(r, 10), 'null'] as [number, number, string])),
      () => mutate(r, awarenessPayload([[own, 3, '{"user":{"name":"m"}}']])),
    ];
    return awarenessFrame(c.doc, pick(r, forms)());
  },
  otherDocument: (c) => {
    const r = c.r;
    const address = pick(r, [c.foreign, `${c.foreign}\0sess`, 'project:00000000-0000-0000-0000-000000000000', 'not-a-doc', `${c.doc}\0${'s'.repeat(int(r, 20))}`, 'x'.repeat(200)]);
    const forms: Array<() => Uint8Array> = [
      () => syncFrame(address, 2, realUpdate(c)),
      () => syncFrame(address, 2, garbageUpdate(c)),
      () => authFrame(address, c.token),
      () => authFrame(address, pick(r, ['', 'a.b.c', 'x'.repeat(9000)])),
      () => awarenessFrame(address, awarenessPayload([[1, 1, '{}']])),
      () => frame(address, (e) => encoding.writeVarUint(e, pick(r, [Msg.QueryAwareness, Msg.Close, Msg.BroadcastStateless, 8, 9, 11, 200]))),
    ];
    return pick(r, forms)();
  },
  serverOnlyTypes: (c) =>
    frame(c.doc, (e) => {
      encoding.writeVarUint(e, pick(c.r, [Msg.BroadcastStateless, 8, 9, 10, 11, 127, 128, 2 ** 20]));
      encoding.writeUint8Array(e, bytes(c.r, int(c.r, 6)));
    }),
  badAuth: (c) =>
    frame(c.doc, (e) => {
      encoding.writeVarUint(e, Msg.Auth);
      encoding.writeVarUint(e, pick(c.r, [0, 1, 2, 3]));
      encoding.writeVarString(e, pick(c.r, [c.token.slice(0, -3), 'a.b.c', '', 'x'.repeat(10_000)]));
    }),
};
const generatorNames = Object.keys(generators);

// ---- a raw socket ------------------------------------------------------------------------------
interface RawSession {
  ws: WebSocket;
  received: Uint8Array[];
  closed: { code: number; reason: string } | null;
  closedPromise: Promise<{ code: number; reason: string }>;
}

async function openRaw(url: string): Promise<RawSession> {
  const ws = new WebSocket(url);
  ws.binaryType = 'nodebuffer';
  const session: RawSession = { ws, received: [], closed: null, closedPromise: Promise.resolve({ code: 0, reason: '' }) };
  session.closedPromise = new Promise((resolve) =>
    ws.on('close', (code, reason) => {
      session.closed = { code, reason: reason.toString() };
      resolve(session.closed);
    }),
  );
  ws.on('message', (data: Buffer) => session.received.push(new Uint8Array(data)));
  ws.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return session;
}

/** Decode (address, type, sub-type) of a server message, for counting answers. */
function head(m: Uint8Array): { address: string; type: number; sub: number } | null {
  try {
    let pos = 0;
    const readUint = () => {
      let n = 0;
      let mult = 1;
      for (;;) {
        const b = m[pos++];
        if (b === undefined) throw new Error('end');
        n += (b & 127) * mult;
        mult *= 128;
        if (b < 128) return n;
      }
    };
    const len = readUint();
    const address = Buffer.from(m.subarray(pos, pos + len)).toString('utf8');
    pos += len;
    const type = readUint();
    const sub = pos < m.length ? readUint() : -1;
    return { address, type, sub };
  } catch {
    return null;
  }
}

// ---- the suite ---------------------------------------------------------------------------------
let db: TestDatabase;
let redis: EmbeddedRedis;
let server: CollabServer;
let fuzzed: TestProject;
let bystander: TestProject;
let honest: Client;
let bystanderWriter: Client;
let bystanderReader: Client;
const pool = clientPool();
/** Honest, acknowledged edits of the fuzzed document: key → value in map 'honest'. */
const honestEdits = new Map<string, string>();
let bystanderBaseline: Uint8Array;
const closeCodes = new Map<string, number>();
const generatorUse = new Map<string, number>();
let framesSent = 0;

function serverDoc(name: string): Document {
  const d = server.hocuspocus.documents.get(name);
  if (!d) throw new Error(`${name} is not loaded`);
  return d;
}

/** The name the server shows for the honest client (awareness), which no other socket may change. */
function honestPresence(): unknown {
  const state = serverDoc(fuzzed.work).awareness.getStates().get(honest.doc.clientID) as { user?: { name?: unknown } } | undefined;
  return state?.user?.name;
}

/** The honest client's clock once its last edit was acknowledged. */
let honestClock = 0;

async function honestEdit(label: string): Promise<void> {
  const value = `${label}:${honestEdits.size}`;
  honest.doc.getMap('honest').set(label, value);
  await acked(honest, 15_000);
  honestEdits.set(label, value);
  honestClock = Y.getState(honest.doc.store, honest.doc.clientID);
}

async function malformedCount(): Promise<number> {
  const metric = await metricsRegistry().getSingleMetric('koma_collab_rejections_total')?.get();
  return metric?.values.find((v) => v.labels.reason === 'malformed-message')?.value ?? 0;
}

async function maxSeq(): Promise<bigint> {
  const [row] = await db.sql<{ s: string }[]>`SELECT coalesce(max(seq), 0)::text AS s FROM doc_updates`;
  return BigInt(row.s);
}

async function rowsAfter(name: string, seq: bigint): Promise<number> {
  const [row] = await db.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM doc_updates WHERE doc_name = ${name} AND seq > ${seq.toString()}`;
  return row.n;
}

async function checkInvariants(where: string, options: { freshProvider?: boolean } = {}): Promise<void> {
  const replay = `(replay: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}; at ${where})`;
  expect(uncaught, `no uncaught exception ${replay}`).toEqual([]);
  // The instance is up and answers.
  const health = await fetch(`http://127.0.0.1:${server.port}/health`);
  expect(health.status, `health ${replay}`).toBe(200);
  await health.arrayBuffer();
  // The bystander is byte-identical on the server and on its reader, and still carries edits.
  expect(Y.encodeStateAsUpdate(serverDoc(bystander.work)), `bystander untouched ${replay}`).toEqual(bystanderBaseline);
  expect(Y.encodeStateAsUpdate(bystanderReader.doc), `bystander reader untouched ${replay}`).toEqual(bystanderBaseline);
  const mark = `${where}`;
  bystanderWriter.doc.getText('source').insert(0, `[${mark}]`);
  await waitFor(() => bystanderReader.doc.getText('source').toString().includes(`[${mark}]`), 15_000, `bystander edit arrives ${replay}`);
  await acked(bystanderWriter, 15_000);
  bystanderBaseline = Y.encodeStateAsUpdate(serverDoc(bystander.work));
  // The fuzzed document reloads from PostgreSQL and holds every acknowledged honest edit.
  const stored = await loadDoc(db.sql, fuzzed.work);
  const reloaded = new Y.Doc();
  expect(() => applyStoredDoc(reloaded, stored), `fuzzed document reloads ${replay}`).not.toThrow();
  const map = reloaded.getMap<string>('honest');
  for (const [k, v] of honestEdits) expect(map.get(k), `honest edit ${k} kept ${replay}`).toBe(v);
  // Every struct the honest client had acknowledged is stored (its values above could only be
  // lost with them). The seeded text is not checked: an editor's garbage struct that integrates
  // is a legitimate edit, and may land inside it.
  const storedClock = Y.decodeStateVector(Y.encodeStateVector(reloaded)).get(honest.doc.clientID) ?? 0;
  expect(storedClock, `honest client's acknowledged structs stored ${replay}`).toBeGreaterThanOrEqual(honestClock);
  reloaded.destroy();
  // Nobody else could speak for the honest client's presence (the hostile awareness generator
  // sends states for its client id with huge clocks).
  expect(honestPresence(), `honest presence kept ${replay}`).toBe('honest');
  // The honest client can still write.
  await honestEdit(`after-${where}`);
  if (options.freshProvider) {
    const fresh = pool.open(server.url, fuzzed.work, await userToken(fuzzed, 'editor'));
    await synced(fresh, 15_000);
    for (const [k, v] of honestEdits) expect(fresh.doc.getMap<string>('honest').get(k), `fresh provider sees ${k} ${replay}`).toBe(v);
    fresh.destroy();
  }
}

/** One socket session: authenticate (or not), send frames, wait until answered or closed. */
async function runSession(role: 'editor' | 'viewer', label: string, frames: Uint8Array[], authenticate: boolean): Promise<RawSession> {
  const session = await openRaw(server.url);
  const token = await userToken(fuzzed, role);
  if (authenticate) {
    session.ws.send(authFrame(fuzzed.work, token));
    await waitFor(() => session.closed !== null || session.received.some((m) => head(m)?.type === Msg.Auth), 15_000, `authenticated (${label})`);
    expect(session.closed, `authenticated ${label}`).toBeNull();
  }
  for (const f of frames) {
    if (session.ws.readyState !== WebSocket.OPEN) break;
    session.ws.send(f);
    framesSent += 1;
  }
  // Messages of one document connection are handled in order: a Sync step 1 sent last is
  // answered (step 2) only after everything before it was handled — unless the server closed
  // the socket or that document connection first.
  const step2Before = session.received.filter((m) => { const h = head(m); return h?.type === Msg.Sync && h.sub === 1; }).length;
  if (session.ws.readyState === WebSocket.OPEN) session.ws.send(syncFrame(fuzzed.work, 0, new Uint8Array([0])));
  if (!authenticate && session.ws.readyState === WebSocket.OPEN) session.ws.send(authFrame(fuzzed.work, token));
  const answered = () => {
    if (session.closed) return true;
    const heads = session.received.map(head);
    if (heads.some((h) => h?.type === Msg.Close && h.address.split('\0')[0] === fuzzed.work)) return true;
    if (heads.some((h) => h?.type === Msg.Auth && h.sub === 1)) return true; // permission denied
    return heads.filter((h) => h?.type === Msg.Sync && h.sub === 1).length > step2Before;
  };
  await waitFor(answered, 15_000, `the server answers or closes (${label}; replay FUZZ_SEED=${SEED})`);
  if (session.closed) {
    const key = `${session.closed.code} ${session.closed.reason}`;
    closeCodes.set(key, (closeCodes.get(key) ?? 0) + 1);
    // Every close the server decides carries a reason the client can show or log.
    expect(session.closed.reason, `close reason for ${session.closed.code} (${label})`).not.toBe('');
  } else {
    session.ws.close();
    await session.closedPromise;
  }
  return session;
}

beforeAll(async () => {
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  db = await startTestDatabase('postgres');
  redis = await startTestRedis();
  // Every refusal is logged at warn: thousands of them would bury the run's output.
  server = await startCollabServer({ sql: db.sql, secret: SECRET, redisUrl: redis.url, log: pino({ level: process.env.LOG_LEVEL ?? 'error' }), instanceId: 'proto-fuzz' });
  fuzzed = await createProject(db.sql);
  bystander = await createProject(db.sql);
  honest = pool.open(server.url, fuzzed.work, await userToken(fuzzed, 'owner'));
  bystanderWriter = pool.open(server.url, bystander.work, await userToken(bystander, 'editor'));
  bystanderReader = pool.open(server.url, bystander.work, await userToken(bystander, 'viewer'));
  await Promise.all([synced(honest), synced(bystanderWriter), synced(bystanderReader)]);
  honest.provider.setAwarenessField('user', { name: 'honest' });
  await waitFor(() => honestPresence() === 'honest', 10_000, 'honest presence on the server');
  for (let i = 0; i < 3; i += 1) await honestEdit(`before-${i}`);
  bystanderWriter.doc.getText('source').insert(0, 'bystander ');
  await acked(bystanderWriter);
  await waitFor(() => bystanderReader.doc.getText('source').toString().startsWith('bystander '), 10_000, 'bystander synced');
  bystanderBaseline = Y.encodeStateAsUpdate(serverDoc(bystander.work));
}, 60_000);

afterAll(async () => {
  pool.destroyAll();
  await server?.close();
  await redis?.stop();
  await db?.stop();
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUnhandled);
  // eslint-disable-next-line no-console -- the figures of a run, for the report
  console.log(
    `collab protocol fuzz: seed ${SEED}, ${RUNS} batches/role, ${framesSent} hostile frames; generators ${JSON.stringify(Object.fromEntries(generatorUse))}; closes ${JSON.stringify(Object.fromEntries(closeCodes))}`,
  );
});

function context(r: Rng, role: 'editor' | 'viewer', token: string): Ctx {
  return {
    r,
    doc: fuzzed.work,
    foreign: bystander.work,
    state: Y.encodeStateAsUpdate(serverDoc(fuzzed.work)),
    token,
    honestIds: [honest.doc.clientID, ...[...serverDoc(fuzzed.work).awareness.getStates().keys()]],
    protectedClient: honest.doc.clientID,
  };
}

describe.each(['editor', 'viewer'] as const)('collab protocol fuzz as %s', (role) => {
  it(`survives ${RUNS} seeded batches of hostile frames`, async () => {
    const r = mulberry32(SEED ^ (role === 'editor' ? 0x0e : 0x7e));
    const token = await userToken(fuzzed, role);
    for (let batch = 0; batch < RUNS; batch += 1) {
      const c = context(r, role, token);
      const n = 1 + int(r, 8);
      const frames: Uint8Array[] = [];
      for (let i = 0; i < n; i += 1) {
        const name = pick(r, generatorNames);
        generatorUse.set(name, (generatorUse.get(name) ?? 0) + 1);
        frames.push(generators[name](c));
      }
      // Mostly after authentication; one batch in five before it (queued, then authenticated).
      const authenticate = r() >= 0.2;
      const seqBefore = await maxSeq();
      const docBefore = Y.encodeStateAsUpdate(serverDoc(fuzzed.work));
      await runSession(role, `${role} batch ${batch}`, frames, authenticate);
      if (role === 'viewer') {
        // A viewer can change nothing: no row logged, the live document byte-identical.
        expect(await rowsAfter(fuzzed.work, seqBefore), `viewer batch ${batch} stored nothing (FUZZ_SEED=${SEED})`).toBe(0);
        expect(Y.encodeStateAsUpdate(serverDoc(fuzzed.work)), `viewer batch ${batch} changed nothing`).toEqual(docBefore);
      }
      await checkInvariants(`${role}-${batch}`, { freshProvider: batch % FRESH_PROVIDER_EVERY === FRESH_PROVIDER_EVERY - 1 });
    }
    await checkInvariants(`${role}-end`, { freshProvider: true });
  }, TEST_TIMEOUT_MS);
});

describe('collab protocol fuzz: updates that decode but do not apply', () => {
  it('are refused before they are logged (invalid-update), and the document stays loadable', async () => {
    const r = mulberry32(SEED ^ 0xbad);
    let refused = 0;
    for (let i = 0; i < 3; i += 1) {
      const c = context(r, 'editor', await userToken(fuzzed, 'editor'));
      const poisoned = poisonedUpdate(c, 2_000);
      expect(poisoned, `a poisoned update was found (FUZZ_SEED=${SEED})`).not.toBeNull();
      const seqBefore = await maxSeq();
      const session = await runSession('editor', `poisoned ${i}`, [syncFrame(fuzzed.work, 2, poisoned!)], true);
      expect(session.closed, `poisoned update ${i} closes the socket`).toEqual({ code: 4400, reason: 'invalid-update' });
      expect(await rowsAfter(fuzzed.work, seqBefore), 'the poisoned update was not logged').toBe(0);
      refused += 1;
      await checkInvariants(`poisoned-${i}`, { freshProvider: i === 2 });
    }
    expect(refused).toBe(3);
  }, TEST_TIMEOUT_MS);
});

describe('collab protocol fuzz: presence impersonation', () => {
  it("a socket cannot speak for another client's presence, even with a huge clock", async () => {
    for (const role of ['viewer', 'editor'] as const) {
      const impostor = awarenessFrame(fuzzed.work, awarenessPayload([[honest.doc.clientID, 2 ** 40, JSON.stringify({ user: { name: `impostor-${role}` } })]]));
      await runSession(role, `impostor ${role}`, [impostor], true);
      await checkInvariants(`impostor-${role}`);
    }
    // The honest client's own later updates still count.
    honest.provider.setAwarenessField('user', { name: 'honest', color: '#123456' });
    await waitFor(() => (serverDoc(fuzzed.work).awareness.getStates().get(honest.doc.clientID) as { user?: { color?: string } } | undefined)?.user?.color === '#123456', 10_000, 'honest presence update');
  }, TEST_TIMEOUT_MS);
});

describe('collab protocol fuzz: every cut point', () => {
  it('a valid frame truncated at every byte closes the socket with a reason and changes nothing', async () => {
    const r = mulberry32(SEED ^ 0xc0);
    const c = context(r, 'editor', await userToken(fuzzed, 'editor'));
    const countedBefore = await malformedCount();
    const seqBefore = await maxSeq();
    // The Auth template carries a short token: cutting a 300-byte JWT adds 300 identical cases.
    const templates = [authFrame(fuzzed.work, 'x.y.z'), ...validFrames(c).slice(1)];
    const addressEnd = frame(fuzzed.work, () => {}).length;
    const cases: Array<{ t: number; cut: number; bytes: Uint8Array }> = [];
    for (const [t, f] of templates.entries()) {
      for (let cut = 1; cut < f.length; cut += 1) {
        // Without its trailing provider version an Auth frame is a valid one from an older provider.
        if (t === 0 && cut === f.length - 6) continue;
        cases.push({ t, cut, bytes: f.slice(0, cut) });
      }
    }
    // Eight sockets at a time: each case needs its own socket, since each one is closed.
    for (let i = 0; i < cases.length; i += 8) {
      await Promise.all(
        cases.slice(i, i + 8).map(async ({ t, cut, bytes: truncated }) => {
          // A frame cut inside its address never names a document: sent before authenticating.
          // Cut later, it reaches an authenticated document connection (the interesting case).
          const session = await runSession('editor', `template ${t} cut ${cut}`, [truncated], cut >= addressEnd);
          expect(session.closed, `template ${t} cut at ${cut} of ${templates[t].length} closes the socket (FUZZ_SEED=${SEED})`).toEqual({ code: 4400, reason: 'malformed-message' });
        }),
      );
    }
    const cuts = cases.length;
    expect(await rowsAfter(fuzzed.work, seqBefore), 'truncated frames stored nothing').toBe(0);
    await checkInvariants('cut-points', { freshProvider: true });
    // Each of those closes was counted in koma_collab_rejections_total.
    expect((await malformedCount()) - countedBefore).toBe(cuts);
  }, TEST_TIMEOUT_MS);
});
