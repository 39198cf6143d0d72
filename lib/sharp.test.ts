import { describe, expect, it } from 'vitest';
import sharp from './sharp';

describe('lib/sharp', () => {
  it('runs with the libvips operation cache off', () => {
    const stats = sharp.cache();
    expect(stats.memory.max).toBe(0);
    expect(stats.items.max).toBe(0);
  });
});
