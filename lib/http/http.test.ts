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
