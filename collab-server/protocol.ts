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
