import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../log';
import { isRedisUnavailable, logRedisOutages } from './unavailable';

describe('isRedisUnavailable', () => {
  it('recognises connection errors and offline-queue refusals', () => {
    expect(isRedisUnavailable(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRedisUnavailable(new Error("Stream isn't writeable and enableOfflineQueue options is false"))).toBe(true);
    expect(isRedisUnavailable(new Error('Connection is closed.'))).toBe(true);
  });

  it('leaves bugs and refused input alone', () => {
    expect(isRedisUnavailable(new Error('ERR wrong number of arguments'))).toBe(false);
    expect(isRedisUnavailable(new TypeError('x is not a function'))).toBe(false);
    expect(isRedisUnavailable('ECONNREFUSED')).toBe(false);
  });
});

describe('logRedisOutages', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('logs an outage at most every 30 s, however often the connection errors', () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(logger(), 'warn').mockImplementation(() => undefined);
    const connection = new EventEmitter();
    logRedisOutages(connection, 'test');
    for (let i = 0; i < 50; i += 1) {
      connection.emit('error', new Error('connect ECONNREFUSED'));
      vi.advanceTimersByTime(1_000); // ioredis retries about this often
    }
    expect(warn).toHaveBeenCalledTimes(2); // at 0 s and 30 s of 50 s
  });
});
