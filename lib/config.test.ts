import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config';

describe('config', () => {
  it('fills embedded defaults', () => {
    const config = parseConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.COLLAB_PORT).toBe(1234);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.REDIS_URL).toBeUndefined();
    expect(config.CORS_ORIGINS).toEqual(['http://localhost:3000']);
  });

  it('names the variable that is wrong', () => {
    expect(() => parseConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    try {
      parseConfig({ PORT: '99999', JWT_SECRET: 'short' });
    } catch (error) {
      expect((error as ConfigError).issues.join('\n')).toMatch(/PORT/);
      expect((error as ConfigError).issues.join('\n')).toMatch(/JWT_SECRET/);
    }
  });

  it('treats empty values as unset and splits lists', () => {
    const config = parseConfig({ DATABASE_URL: '', CORS_ORIGINS: 'https://a.example, https://b.example' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
  });
});

describe('.env.example', () => {
  it('documents every variable the config reads', async () => {
    const { readFile } = await import('node:fs/promises');
    const path = await import('node:path');
    const { configSchema } = await import('./config');
    const text = await readFile(path.resolve(import.meta.dirname, '../.env.example'), 'utf8');
    const documented = new Set([...text.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    const missing = Object.keys(configSchema.shape).filter((key) => !documented.has(key));
    expect(missing).toEqual([]);
  });
});
