import { describe, expect, it } from 'vitest';
import { ApiError } from './api';
import { createTokenSource, isTransientTokenError, tokenExpiryMs } from './collab-token';

const NOW = 1_800_000_000_000;

function jwt(expSeconds: number): string {
  const encode = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ sub: 'u', exp: expSeconds })}.signature`;
}

describe('tokenExpiryMs', () => {
  it('reads exp; anything else is null', () => {
    expect(tokenExpiryMs(jwt(1_900_000_000))).toBe(1_900_000_000_000);
    expect(tokenExpiryMs('not-a-jwt')).toBeNull();
    expect(tokenExpiryMs('a.!!!.c')).toBeNull();
    expect(tokenExpiryMs(`a.${btoa('{"exp":"soon"}')}.c`)).toBeNull();
  });
});

describe('createTokenSource', () => {
  it('uses the initial token once, then fetches', async () => {
    let fetched = 0;
    const source = createTokenSource({ initial: 'first', fetchToken: async () => `fresh-${++fetched}`, now: () => NOW });
    expect(await source()).toBe('first');
    expect(await source()).toBe('fresh-1');
    expect(await source()).toBe('fresh-2');
  });

  it('falls back to the last token while it is valid when the API cannot answer', async () => {
    const valid = jwt(NOW / 1000 + 300);
    let down = false;
    const source = createTokenSource({
      initial: valid,
      fetchToken: async () => {
        if (down) throw new ApiError(503, 'unavailable', 'database down');
        return valid;
      },
      now: () => NOW,
    });
    await source();
    down = true;
    expect(await source()).toBe(valid);
  });

  it('waits and retries when the last token has expired, instead of giving up', async () => {
    const expired = jwt(NOW / 1000 - 1);
    const fresh = jwt(NOW / 1000 + 600);
    let calls = 0;
    const waits: number[] = [];
    const source = createTokenSource({
      initial: expired,
      fetchToken: async () => {
        calls += 1;
        if (calls < 4) throw new TypeError('Failed to fetch');
        return fresh;
      },
      now: () => NOW,
      sleep: async (ms) => void waits.push(ms),
    });
    await source();
    expect(await source()).toBe(fresh);
    expect(waits).toEqual([1_000, 2_000, 4_000]);
  });

  it('passes a definite refusal on at once', async () => {
    const source = createTokenSource({ fetchToken: async () => Promise.reject(new ApiError(404, 'not_found', 'gone')), now: () => NOW });
    await expect(source()).rejects.toMatchObject({ status: 404 });
    expect(isTransientTokenError(new ApiError(403, 'forbidden', 'no'))).toBe(false);
    expect(isTransientTokenError(new ApiError(502, 'bad_gateway', 'x'))).toBe(true);
  });

  it('stops waiting once the studio is closed', async () => {
    let closed = false;
    const source = createTokenSource({
      fetchToken: async () => Promise.reject(new TypeError('Failed to fetch')),
      now: () => NOW,
      sleep: async () => {
        closed = true;
      },
      disposed: () => closed,
    });
    await expect(source()).rejects.toBeInstanceOf(TypeError);
  });
});
