import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

describe('docker-compose.yml', () => {
  it('validates against the Compose specification (dclint)', async () => {
    const bin = path.join(root, 'node_modules/.bin/dclint');
    const { stdout } = await run(bin, ['docker-compose.yml', '-f', 'json'], { cwd: root }).catch((error: { stdout: string }) => {
      throw new Error(`dclint rejected docker-compose.yml:\n${error.stdout}`);
    });
    const report = JSON.parse(stdout) as Array<{ messages: unknown[] }>;
    expect(report.flatMap((file) => file.messages)).toEqual([]);
  });

  it('describes the production topology: postgres, redis, web, two collab-servers, two workers', async () => {
    const text = await readFile(path.join(root, 'docker-compose.yml'), 'utf8');
    for (const service of ['postgres', 'redis', 'web', 'collab-1', 'collab-2', 'worker']) {
      expect(text).toMatch(new RegExp(`^  ${service}:`, 'm'));
    }
    expect(text).toMatch(/replicas: 2/);
    expect(text.match(/healthcheck:/g)?.length).toBeGreaterThanOrEqual(6);
    expect(text).toMatch(/^volumes:/m);
  });
});
