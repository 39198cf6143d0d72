import { describe, expect, it } from 'vitest';
import { reconnectDelaySeconds } from './client';

describe('reconnectDelaySeconds', () => {
  it('grows from tens of milliseconds and never waits more than a second, however long the outage', () => {
    expect(reconnectDelaySeconds(0)).toBeLessThanOrEqual(0.05);
    for (let retries = 0; retries < 200; retries += 1) {
      const delay = reconnectDelaySeconds(retries);
      expect(delay).toBeGreaterThan(0);
      expect(delay).toBeLessThanOrEqual(1);
    }
    // Later retries wait longer than the first (jitter halves at most).
    expect(reconnectDelaySeconds(10)).toBeGreaterThanOrEqual(0.5);
  });
});
