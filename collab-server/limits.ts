/** Limits of the collab-server, and the token bucket that enforces message rates. */

export interface CollabLimits {
  maxMessageBytes: number;
  maxDocBytes: number;
  maxConnectionsPerDoc: number;
  maxDocsPerConnection: number;
  maxUnauthBytes: number;
  maxUnauthMessages: number;
  ratePerSec: number;
  rateBurst: number;
}

export const defaultLimits: CollabLimits = {
  maxMessageBytes: 4 * 1024 * 1024,
  maxDocBytes: 32 * 1024 * 1024,
  maxConnectionsPerDoc: 200,
  maxDocsPerConnection: 16,
  maxUnauthBytes: 1024 * 1024,
  maxUnauthMessages: 200,
  // Humans type ~10 updates/s; agents streaming text and awareness need more. Floods are thousands/s.
  ratePerSec: 200,
  rateBurst: 1000,
};

/**
 * Classic token bucket: `rate` tokens a second, at most `burst` saved up. Cheap enough to
 * run on every frame, before anything is decoded.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = this.now();
  }

  /** Take `cost` tokens; false when the bucket cannot pay (the caller is over its rate). */
  take(cost = 1): boolean {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }
}

/** WebSocket close codes Koma uses, with the reason string sent to the client. */
export const Close = {
  rateLimited: { code: 4429, reason: 'rate-limited' },
  unauthQueueFull: { code: 4413, reason: 'unauthenticated-queue-full' },
  messageTooLarge: { code: 1009, reason: 'message-too-large' },
  revoked: { code: 4403, reason: 'membership-revoked' },
  shuttingDown: { code: 1001, reason: 'server-shutting-down' },
  binaryOnly: { code: 1003, reason: 'binary-messages-only' },
  /** A frame that is not the Hocuspocus protocol (inspectFrame in protocol.ts says what is wrong). */
  malformed: { code: 4400, reason: 'malformed-message' },
  /** A Yjs update that does not decode, or does not apply to the document (guard.ts). */
  invalidUpdate: { code: 4400, reason: 'invalid-update' },
  storageUnavailable: { code: 1013, reason: 'storage-unavailable' },
} as const;
