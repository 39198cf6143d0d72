import { describe, expect, it } from 'vitest';
import { withDeadline } from './deadline';

describe('withDeadline', () => {
  it('passes the result or the error of work that ends in time', async () => {
    await expect(withDeadline(Promise.resolve(7), 1_000, () => new Error('late'))).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('boom')), 1_000, () => new Error('late'))).rejects.toThrow('boom');
  });

  it('rejects with the given error when the work does not end in time', async () => {
    class Late extends Error {}
    await expect(withDeadline(new Promise(() => {}), 20, () => new Late('no answer'))).rejects.toBeInstanceOf(Late);
  });
});
