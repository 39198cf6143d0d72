/**
 * The product as a new user meets it: `npm start` (embedded PGlite, private Redis, web,
 * collab-server, worker), then plain HTTP — register, create a project from a fixture story,
 * run the whole pipeline, download the book — and Ctrl-C leaves no process behind.
 */
import { execFileSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProduct, type RunningProduct } from '../support/product';

const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures/stories');
let product: RunningProduct;

async function api(method: string, url: string, token?: string, body?: unknown) {
  const res = await fetch(`${product.baseUrl}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, body: type.includes('json') ? await res.json() : await res.arrayBuffer() };
}

beforeAll(async () => {
  product = await startProduct();
});

afterAll(async () => {
  await product?.stop();
});

describe('npm start, used with plain HTTP', () => {
  it('is healthy and exposes metrics and the OpenAPI document', async () => {
    const health = await api('GET', '/api/health');
    expect(health.body).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
    const metrics = await fetch(`${product.baseUrl}/api/metrics`);
    expect(await metrics.text()).toMatch(/process_cpu_user_seconds_total/);
    const openapi = await api('GET', '/api/openapi.json');
    expect(openapi.body.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.body.paths)).toEqual(expect.arrayContaining(['/api/projects', '/api/projects/{id}/phases/{phase}/runs']));
  });

  it('takes a story from registration to a downloaded CBZ', async () => {
    const reg = await api('POST', '/api/auth/register', undefined, { email: 'new.user@example.com', password: 'a long enough password', name: 'New User' });
    expect(reg.status).toBe(201);
    const token = reg.body.accessToken as string;
    const sourceText = await readFile(path.join(fixtures, 'ja-kasa.txt'), 'utf8');
    const created = await api('POST', '/api/projects', token, { title: '傘', sourceText, language: 'ja', readingDirection: 'rtl' });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    const empty = await api('POST', '/api/projects', token, { title: 'x', sourceText: '   ', language: 'ja', readingDirection: 'rtl' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('source_text_blank');

    expect((await api('POST', `/api/projects/${id}/pipeline`, token, {})).status).toBe(202);
    const deadline = Date.now() + 180_000;
    for (;;) {
      const final = await api('GET', `/api/projects/${id}/phases/final`, token);
      if (final.body.activeBranchId) break;
      if (Date.now() > deadline) throw new Error(`pipeline did not finish: ${JSON.stringify(final.body)}\n${product.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const cbz = await fetch(`${product.baseUrl}/api/projects/${id}/export?format=cbz`, { headers: { authorization: `Bearer ${token}` } });
    if (cbz.status !== 200) throw new Error(`export failed ${cbz.status}: ${await cbz.text()}\n${product.output().slice(-4000)}`);
    const bytes = Buffer.from(await cbz.arrayBuffer());
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
  });

  it('stops everything on Ctrl-C, leaving no orphan process', async () => {
    const pid = product.process.pid!;
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean).map(Number);
    expect(children.length).toBeGreaterThanOrEqual(3);
    await product.stop();
    const alive = children.filter((child) => {
      try {
        process.kill(child, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});
