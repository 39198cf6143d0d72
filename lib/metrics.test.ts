import { describe, expect, it } from 'vitest';
import { metricsAuthorized } from './metrics';

describe('metricsAuthorized', () => {
  it('is open when no token is configured', () => {
    expect(metricsAuthorized(undefined, undefined)).toBe(true);
    expect(metricsAuthorized('Bearer anything', undefined)).toBe(true);
  });

  it('requires exactly the configured bearer token when one is set', () => {
    const token = 'metrics-token-0123456789';
    expect(metricsAuthorized(`Bearer ${token}`, token)).toBe(true);
    expect(metricsAuthorized(undefined, token)).toBe(false);
    expect(metricsAuthorized('', token)).toBe(false);
    expect(metricsAuthorized(`Bearer ${token}x`, token)).toBe(false);
    expect(metricsAuthorized(`bearer ${token}`, token)).toBe(false);
    expect(metricsAuthorized(token, token)).toBe(false);
  });
});
