/**
 * Reading just enough of a Hocuspocus message to know whether it writes to the document,
 * and which Yjs update it carries. Layout (see @hocuspocus/server MessageReceiver):
 *   varString documentAddress, varUint messageType, then for Sync/SyncReply:
 *   varUint syncType (0 step1 | 1 step2 | 2 update), varUint8Array update.
 */
import * as decoding from 'lib0/decoding';

export const MessageType = {
  Sync: 0,
  Awareness: 1,
  Auth: 2,
  QueryAwareness: 3,
  SyncReply: 4,
  Stateless: 5,
  BroadcastStateless: 6,
  Close: 7,
  SyncStatus: 8,
  Ping: 9,
  Pong: 10,
} as const;

const SyncStep2 = 1;
const SyncUpdate = 2;

export type ParsedMessage =
  | { kind: 'write'; update: Uint8Array }
  | { kind: 'other'; type: number }
  | { kind: 'malformed' };

export function parseClientMessage(data: Uint8Array): ParsedMessage {
  try {
    const decoder = decoding.createDecoder(data);
    decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type !== MessageType.Sync && type !== MessageType.SyncReply) return { kind: 'other', type };
    const syncType = decoding.readVarUint(decoder);
    if (syncType !== SyncStep2 && syncType !== SyncUpdate) return { kind: 'other', type };
    const update = decoding.readVarUint8Array(decoder);
    return { kind: 'write', update };
  } catch {
    return { kind: 'malformed' };
  }
}

// ---------------------------------------------------------------------------------------------
// The front door's structural check of a whole frame

/** Longest document address accepted (a Koma name is ~45 bytes; session-aware keys add a suffix). */
export const MAX_ADDRESS_BYTES = 256;
/** Longest token in an Auth message (our JWTs are well under 1 KB). */
export const MAX_TOKEN_BYTES = 8 * 1024;

const SyncStep1 = 0;
const AuthToken = 0;
/** Fatal: invalid UTF-8 is refused, where lib0's reader would substitute or throw unnamed. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export type FrameVerdict =
  /** A lone Pong byte (a provider answering a Ping): carries nothing, never forwarded. */
  | { ok: true; kind: 'pong' }
  | { ok: true; kind: 'message'; address: string; type: number }
  | { ok: false; reason: string };

class FrameError extends Error {}

function fail(reason: string): never {
  throw new FrameError(reason);
}

/** Run a lib0 read, turning its generic errors (end of array, integer out of range, bad UTF-8) into a named reason. */
function read<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof FrameError) throw error;
    return fail(`${what}: ${error instanceof Error ? error.message : 'unreadable'}`);
  }
}

/** A varUint8Array whose claimed length is checked against what is left before anything is read. */
function readBytes(decoder: decoding.Decoder, what: string): Uint8Array {
  const length = read(`${what} length`, () => decoding.readVarUint(decoder));
  if (length > decoder.arr.length - decoder.pos) fail(`${what} claims ${length} bytes, ${decoder.arr.length - decoder.pos} left`);
  return decoding.readUint8Array(decoder, length);
}

function readString(decoder: decoding.Decoder, what: string, maxBytes: number): string {
  const bytes = readBytes(decoder, what);
  if (bytes.byteLength > maxBytes) fail(`${what} longer than ${maxBytes} bytes`);
  return read(what, () => utf8.decode(bytes));
}

function assertConsumed(decoder: decoding.Decoder, what: string): void {
  if (decoding.hasContent(decoder)) fail(`${decoder.arr.length - decoder.pos} unexpected bytes after ${what}`);
}

/** A Yjs state vector: count, then (client, clock) pairs, nothing after. */
function checkStateVector(bytes: Uint8Array): void {
  const d = decoding.createDecoder(bytes);
  const count = read('state vector', () => decoding.readVarUint(d));
  // Each entry takes at least two bytes: a larger count is a lie about the length.
  if (count * 2 > bytes.byteLength) fail(`state vector claims ${count} entries in ${bytes.byteLength} bytes`);
  for (let i = 0; i < count; i += 1) {
    read('state vector entry', () => decoding.readVarUint(d));
    read('state vector entry', () => decoding.readVarUint(d));
  }
  assertConsumed(d, 'the state vector');
}

/**
 * An awareness update as y-protocols encodes it: count, then (clientID, clock, JSON state).
 * Checked here so invalid JSON or a lying count closes the socket instead of throwing inside
 * Hocuspocus, which would only drop that one document connection and count nothing.
 */
function checkAwareness(bytes: Uint8Array, maxBytes: number): void {
  const d = decoding.createDecoder(bytes);
  const count = read('awareness', () => decoding.readVarUint(d));
  if (count * 3 > bytes.byteLength) fail(`awareness claims ${count} states in ${bytes.byteLength} bytes`);
  for (let i = 0; i < count; i += 1) {
    const clientId = read('awareness client id', () => decoding.readVarUint(d));
    // Yjs client ids are 32-bit; a larger one can never belong to a real client.
    if (clientId > 0xffffffff) fail('awareness client id is not a 32-bit number');
    read('awareness clock', () => decoding.readVarUint(d));
    const json = readString(d, 'awareness state', maxBytes);
    let state: unknown;
    try {
      state = JSON.parse(json);
    } catch {
      fail('awareness state is not JSON');
    }
    if (state !== null && (typeof state !== 'object' || Array.isArray(state))) fail('awareness state is neither an object nor null');
  }
  assertConsumed(d, 'the awareness update');
}

/**
 * Check a whole client frame against the Hocuspocus 4 protocol before Hocuspocus sees it:
 * address, message type and each type's payload, nothing missing and nothing trailing. Yjs
 * update bodies are only delimited here; their content is validated where they are stored
 * (`beforeHandleMessage`), once. Cheap: no allocation beyond the views it reads.
 */
export function inspectFrame(data: Uint8Array, maxMessageBytes = Number.MAX_SAFE_INTEGER): FrameVerdict {
  if (data.byteLength === 1 && data[0] === MessageType.Pong) return { ok: true, kind: 'pong' };
  try {
    const d = decoding.createDecoder(data);
    const address = readString(d, 'document address', MAX_ADDRESS_BYTES);
    if (address.length === 0) fail('empty document address');
    const type = read('message type', () => decoding.readVarUint(d));
    switch (type) {
      case MessageType.Sync:
      case MessageType.SyncReply: {
        const step = read('sync step', () => decoding.readVarUint(d));
        if (step === SyncStep1) checkStateVector(readBytes(d, 'state vector'));
        else if (step === SyncStep2 || step === SyncUpdate) readBytes(d, 'update');
        else fail(`unknown sync step ${step}`);
        break;
      }
      case MessageType.Awareness:
        checkAwareness(readBytes(d, 'awareness update'), maxMessageBytes);
        break;
      case MessageType.Auth: {
        const authType = read('auth type', () => decoding.readVarUint(d));
        if (authType !== AuthToken) fail(`a client may only send a token (auth type ${authType})`);
        readString(d, 'token', MAX_TOKEN_BYTES);
        // Providers since 3.x append their version; older ones do not.
        if (decoding.hasContent(d)) readString(d, 'provider version', 64);
        break;
      }
      case MessageType.Stateless:
        readString(d, 'stateless payload', maxMessageBytes);
        break;
      case MessageType.QueryAwareness:
      case MessageType.Close:
        break;
      default:
        // BroadcastStateless is server-internal; SyncStatus and Ping go server → client only.
        fail(`message type ${type} is not one a client sends`);
    }
    assertConsumed(d, `a type ${type} message`);
    return { ok: true, kind: 'message', address, type };
  } catch (error) {
    if (error instanceof FrameError) return { ok: false, reason: error.message };
    return { ok: false, reason: 'unreadable frame' };
  }
}
