import { describe, expect, it } from 'vitest';
import { TokenBucket } from './limits';

describe('TokenBucket', () => {
  it('allows the burst, then the sustained rate', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, () => now);
    for (let i = 0; i < 5; i += 1) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 100; // 0.1 s at 10/s = 1 token
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
    now += 10_000; // refills, but never above the burst
    for (let i = 0; i < 5; i += 1) expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('charges by cost (bytes)', () => {
    let now = 0;
    const bucket = new TokenBucket(1000, 2000, () => now);
    expect(bucket.take(1500)).toBe(true);
    expect(bucket.take(600)).toBe(false);
    now += 100;
    expect(bucket.take(600)).toBe(true);
  });
});
