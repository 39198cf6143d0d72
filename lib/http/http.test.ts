import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clientIp, requestIdFrom } from './context';
import { corsHeaders } from './cors';
import { pageCsp } from './security-headers';
import { describeZodError, looksBinary } from './validate';
import { validateSourceText } from '../projects/source-text';
import { HttpError } from './errors';

const req = (headers: Record<string, string>) => new Request('http://x/api', { headers });

describe('lib/http helpers', () => {
  it('looksBinary: control bytes, replacement chars and lone surrogates; not CJK, emoji or newlines', () => {
    expect(looksBinary('a\u0000b')).toBe(true);
    expect(looksBinary('a\uFFFDb')).toBe(true);
    expect(looksBinary('a\uD800b')).toBe(true);
    expect(looksBinary('a\uDC00')).toBe(true);
    expect(looksBinary('「傘、忘れた」\n\tと湊が言った。😀\r\n')).toBe(false);
  });

  it('validateSourceText names the broken rule', () => {
    const code = (s: string) => {
      try {
        validateSourceText(s);
        return 'ok';
      } catch (e) {
        return (e as HttpError).code;
      }
    };
    expect(code('')).toBe('source_text_empty');
    expect(code('\uFEFF')).toBe('source_text_empty');
    expect(code(' \n\t ')).toBe('source_text_blank');
    expect(code('x\u0001')).toBe('source_text_binary');
    expect(code('x'.repeat(200_001))).toBe('source_text_too_long');
    expect(code('物語')).toBe('ok');
    expect(validateSourceText('\uFEFF物語')).toBe('物語');
  });

  it('clientIp trusts only the rightmost x-forwarded-for entry', () => {
    expect(clientIp(req({ 'x-forwarded-for': '1.1.1.1, 10.0.0.2' }))).toBe('10.0.0.2');
    expect(clientIp(req({ 'x-forwarded-for': '::ffff:127.0.0.1' }))).toBe('127.0.0.1');
    expect(clientIp(req({ 'x-forwarded-for': 'garbage' }))).toBe('unknown');
    expect(clientIp(req({}))).toBe('unknown');
  });

  it('request ids: well-formed ones are kept, others replaced', () => {
    expect(requestIdFrom(req({ 'x-request-id': 'abc.DEF-1:2' }))).toBe('abc.DEF-1:2');
    expect(requestIdFrom(req({ 'x-request-id': 'x'.repeat(200) }))).not.toBe('x'.repeat(200));
  });

  it('CORS follows the allow-list exactly', () => {
    expect(corsHeaders(req({ origin: 'https://a.example' }), ['https://a.example'])['Access-Control-Allow-Origin']).toBe('https://a.example');
    expect(corsHeaders(req({ origin: 'https://a.example.evil' }), ['https://a.example'])['Access-Control-Allow-Origin']).toBeUndefined();
    expect(corsHeaders(req({ origin: 'https://any' }), ['*'])['Access-Control-Allow-Origin']).toBe('*');
    expect(corsHeaders(req({}), ['*'])).toEqual({});
  });

  it('page CSP: nonce or inline, collab origin, no framing', () => {
    const strict = pageCsp({ nonce: 'abc', collabUrl: 'wss://collab.example/path' });
    expect(strict).toContain("'nonce-abc' 'strict-dynamic'");
    expect(strict).toContain('wss://collab.example;');
    expect(strict).toContain("frame-ancestors 'none'");
    expect(pageCsp({ collabUrl: 'not a url' })).toContain("script-src 'self' 'unsafe-inline'");
  });

  it('describeZodError lists the fields', () => {
    const r = z.object({ a: z.string(), b: z.number() }).safeParse({ a: 1 });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeZodError(r.error)).toMatch(/^a: .*; b: /);
  });
});

describe('route()', () => {
  it('turns an unexpected error into a generic 500 that names the request id and leaks nothing', async () => {
    const { route } = await import('./handler');
    process.env.LOG_LEVEL = 'silent';
    const handler = route(
      'test.boom',
      async () => {
        throw new Error('secret detail: password=hunter2');
      },
      { rateLimit: false },
    );
    const res = await handler(new Request('http://x/api/boom', { headers: { 'x-request-id': 'req-42' } }));
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('internal');
    expect(body.error.message).toContain('req-42');
    expect(body.error.message).not.toContain('hunter2');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('maps database value errors to 400 and conflicts to 409', async () => {
    const { route } = await import('./handler');
    const pgError = (code: string) => Object.assign(new Error('db'), { code, severity: 'ERROR' });
    const bad = route('t.bad', async () => { throw pgError('22P02'); }, { rateLimit: false });
    const dup = route('t.dup', async () => { throw pgError('23505'); }, { rateLimit: false });
    expect((await bad(new Request('http://x/'))).status).toBe(400);
    expect((await dup(new Request('http://x/'))).status).toBe(409);
  });
});
