/**
 * A local HTTP server that speaks the Gemini REST protocol (v1beta) well enough for the real
 * @google/genai SDK to talk to it through `httpOptions.baseUrl`:
 *   POST /v1beta/models/<model>:generateContent
 *   POST /v1beta/models/<model>:streamGenerateContent?alt=sse   (data: <json> lines)
 * Each request takes the next scripted behaviour (or asks `respond`), and is recorded so tests
 * can assert what the client sent (JSON mode, schema, system instruction, inline images).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

export type FakeBehaviour =
  /** A successful answer whose text is JSON.stringify(value) (or `text` verbatim). */
  | { kind: 'json'; value: unknown; times?: number }
  | { kind: 'text'; text: string; times?: number }
  /** Server-sent events: the text split into `chunks` pieces (JSON of `value`, or `text`). */
  | { kind: 'stream'; value?: unknown; text?: string; chunks?: number; times?: number }
  | { kind: 'image'; png?: Uint8Array; times?: number }
  | { kind: 'status'; status: number; retryAfter?: string; message?: string; times?: number }
  | { kind: 'malformed'; text?: string; times?: number }
  /** promptFeedback.blockReason (prompt: true) or a candidate stopped with finishReason. */
  | { kind: 'blocked'; reason?: string; prompt?: boolean; times?: number }
  /** Accept the request and never answer (for timeouts). */
  | { kind: 'hang'; times?: number };

export interface FakeRequest {
  model: string;
  method: 'generateContent' | 'streamGenerateContent';
  url: string;
  body: GeminiRequestBody;
  at: number;
}

export interface GeminiRequestBody {
  contents?: Array<{ role?: string; parts?: Array<{ text?: string; inlineData?: { mimeType?: string; data?: string } }> }>;
  systemInstruction?: { parts?: Array<{ text?: string }> } | string;
  generationConfig?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface FakeGemini {
  /** Base URL for `httpOptions.baseUrl` (no trailing slash). */
  url: string;
  requests: FakeRequest[];
  /** Queue behaviours for the next requests, in order. */
  script(...behaviours: FakeBehaviour[]): void;
  /** What to do when the script is empty (default: 500). */
  respond: (req: FakeRequest) => FakeBehaviour;
  reset(): void;
  close(): Promise<void>;
}

export function systemText(body: GeminiRequestBody): string {
  const s = body.systemInstruction;
  if (!s) return '';
  if (typeof s === 'string') return s;
  return (s.parts ?? []).map((p) => p.text ?? '').join('');
}

export function userText(body: GeminiRequestBody): string {
  return (body.contents ?? []).flatMap((c) => (c.parts ?? []).map((p) => p.text ?? '')).join('\n');
}

let pngCache: Uint8Array | undefined;
async function defaultPng(): Promise<Uint8Array> {
  pngCache ??= new Uint8Array(await sharp({ create: { width: 64, height: 48, channels: 3, background: '#88aacc' } }).png().toBuffer());
  return pngCache;
}

function usage(prompt: number, out: number) {
  return { promptTokenCount: prompt, candidatesTokenCount: out, totalTokenCount: prompt + out };
}

function answer(text: string, tokensIn: number) {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
    usageMetadata: usage(tokensIn, Math.ceil(text.length / 4)),
    modelVersion: 'fake-gemini',
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeGemini(): Promise<FakeGemini> {
  const queue: FakeBehaviour[] = [];
  const hanging = new Set<ServerResponse>();
  const fake: FakeGemini = {
    url: '',
    requests: [],
    script: (...b) => queue.push(...b.map((x) => ({ ...x }))),
    respond: () => ({ kind: 'status', status: 500, message: 'no scripted behaviour' }),
    reset() {
      queue.length = 0;
      fake.requests.length = 0;
    },
    close: async () => {
      for (const res of hanging) res.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const next = (r: FakeRequest): FakeBehaviour => {
    const head = queue[0];
    if (!head) return fake.respond(r);
    if (head.times === undefined || head.times <= 1) queue.shift();
    else head.times -= 1;
    return head;
  };

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const m = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(url.pathname);
      if (req.method !== 'POST' || !m) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: `no route ${req.method} ${url.pathname}`, status: 'NOT_FOUND' } }));
        return;
      }
      const raw = await readBody(req);
      let body: GeminiRequestBody = {};
      try {
        body = JSON.parse(raw) as GeminiRequestBody;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 400, message: 'body is not JSON', status: 'INVALID_ARGUMENT' } }));
        return;
      }
      const record: FakeRequest = { model: m[1], method: m[2] as FakeRequest['method'], url: req.url ?? '', body, at: Date.now() };
      fake.requests.push(record);
      const tokensIn = Math.ceil(raw.length / 4);
      const b = next(record);
      const streaming = record.method === 'streamGenerateContent';
      const send = (payload: unknown) => {
        if (streaming) {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.end(`data: ${JSON.stringify(payload)}\n\n`);
        } else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
      };
      switch (b.kind) {
        case 'json':
          send(answer(JSON.stringify(b.value), tokensIn));
          return;
        case 'text':
          send(answer(b.text, tokensIn));
          return;
        case 'malformed':
          send(answer(b.text ?? '{"logline": "unterminated', tokensIn));
          return;
        case 'image': {
          const png = b.png ?? (await defaultPng());
          send({
            candidates: [{ content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: Buffer.from(png).toString('base64') } }] }, finishReason: 'STOP', index: 0 }],
            usageMetadata: usage(tokensIn, 1290),
          });
          return;
        }
        case 'blocked':
          send(
            b.prompt
              ? { promptFeedback: { blockReason: b.reason ?? 'SAFETY' }, usageMetadata: usage(tokensIn, 0) }
              : { candidates: [{ finishReason: b.reason ?? 'SAFETY', index: 0, safetyRatings: [{ category: 'HARM_CATEGORY_DANGEROUS_CONTENT', probability: 'HIGH', blocked: true }] }], usageMetadata: usage(tokensIn, 0) },
          );
          return;
        case 'status': {
          const headers: Record<string, string> = { 'content-type': 'application/json' };
          if (b.retryAfter !== undefined) headers['retry-after'] = b.retryAfter;
          const status = b.status === 429 ? 'RESOURCE_EXHAUSTED' : b.status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT';
          res.writeHead(b.status, headers).end(JSON.stringify({ error: { code: b.status, message: b.message ?? `fake ${b.status}`, status } }));
          return;
        }
        case 'hang':
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        case 'stream': {
          const text = b.text ?? JSON.stringify(b.value);
          const n = Math.max(1, b.chunks ?? 6);
          const size = Math.ceil(text.length / n);
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          for (let i = 0; i < text.length; i += size) {
            const last = i + size >= text.length;
            const chunk = {
              candidates: [{ content: { role: 'model', parts: [{ text: text.slice(i, i + size) }] }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
              ...(last ? { usageMetadata: usage(tokensIn, Math.ceil(text.length / 4)) } : {}),
            };
            res.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
            // Let the client see chunks arrive separately.
            await new Promise((r) => setTimeout(r, 5));
          }
          res.end();
          return;
        }
      }
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(e));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  return fake;
}
