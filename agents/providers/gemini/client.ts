/**
 * Gemini calls through @google/genai with the guarantees the agents need:
 *  - every attempt is bounded (a per-call timeout) and cancellable (the run's AbortSignal);
 *  - 429 / 5xx / 408 / timeouts are retried with exponential backoff and full jitter, bounded in
 *    attempts and in total wait, honouring Retry-After (header) or RetryInfo (error body);
 *  - a safety block is an error that says so; malformed JSON gets one repair round, then an error;
 *  - every attempt is recorded (tokens, images, cost in JPY, duration, outcome).
 * The SDK's own retry is left off so each attempt is visible and accounted for.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { ApiError, GoogleGenAI, type Content, type GenerateContentConfig, type GenerateContentResponse, type Part } from '@google/genai';
import type { z } from 'zod';
import { AgentError, type GenerationRecord } from '../../types';
import type { ProviderCall } from '../provider-types';
import { jsonSchemaFor } from './schema';
import { partialStringField } from './stream-json';

export interface GeminiPrices {
  inputPer1k: number;
  outputPer1k: number;
  perImage: number;
}

export interface GeminiClientOptions {
  apiKey: string;
  baseUrl?: string;
  textModel: string;
  imageModel: string;
  prices: GeminiPrices;
  /** Per attempt (ms). Streams get 3× this for the whole stream. */
  timeoutMs?: number;
  /** Attempts per call, including the first. */
  maxAttempts?: number;
  /** Backoff base and cap (ms); the total of all waits of one call is capped by maxWaitMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  maxWaitMs?: number;
}

const BLOCK_REASONS = new Set(['SAFETY', 'PROHIBITED_CONTENT', 'BLOCKLIST', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'RECITATION', 'IMAGE_RECITATION']);
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

interface CallSlot {
  retryAfterMs: number | null;
}
const slot = new AsyncLocalStorage<CallSlot>();

/** Reads Retry-After off every response, so the retry loop can honour it (ApiError drops headers). */
const capturingFetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const res = await fetch(input, init);
  const s = slot.getStore();
  if (s && !res.ok) {
    const h = res.headers.get('retry-after');
    if (h) {
      const secs = Number(h);
      s.retryAfterMs = Number.isFinite(secs) ? secs * 1000 : Math.max(0, Date.parse(h) - Date.now());
    }
  }
  return res;
};

function retryDelayFromBody(message: string): number | null {
  // Gemini puts google.rpc.RetryInfo in the error details: "retryDelay": "7s"
  const m = /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(message);
  return m ? Number(m[1]) * 1000 : null;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new AgentError('cancelled', 'The run was cancelled.'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new AgentError('cancelled', 'The run was cancelled.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface JsonRequest<T> {
  step: string;
  system: string;
  prompt: string;
  schema: z.ZodType<T>;
  /** Stream the response and feed this string field to call.onText as it arrives. */
  streamField?: string;
}

export interface ImageRequest {
  step: string;
  prompt: string;
  references: Array<{ bytes: Uint8Array; mime: string; label: string }>;
  /** width / height wanted (a panel's shape); the nearest ratio the model supports is asked for. */
  aspect?: number;
}

const ASPECTS: Array<[string, number]> = [['1:1', 1], ['2:3', 2 / 3], ['3:2', 3 / 2], ['3:4', 3 / 4], ['4:3', 4 / 3], ['9:16', 9 / 16], ['16:9', 16 / 9], ['21:9', 21 / 9]];

/** The supported aspect ratio nearest (in log space) to `ratio`. */
export function nearestAspect(ratio: number): string {
  let best = ASPECTS[0];
  for (const a of ASPECTS) if (Math.abs(Math.log(a[1] / ratio)) < Math.abs(Math.log(best[1] / ratio))) best = a;
  return best[0];
}

export interface ImageResult {
  bytes: Uint8Array;
  mime: string;
}

function usage(res: GenerateContentResponse | undefined): { input: number; output: number } {
  const u = res?.usageMetadata;
  return { input: u?.promptTokenCount ?? 0, output: (u?.candidatesTokenCount ?? 0) + (u?.thoughtsTokenCount ?? 0) };
}

function blockReason(res: GenerateContentResponse): string | null {
  const pf = res.promptFeedback?.blockReason;
  if (pf) return String(pf);
  const c = res.candidates?.[0];
  if (!c) return 'NO_CANDIDATE';
  if (c.finishReason && BLOCK_REASONS.has(String(c.finishReason))) return String(c.finishReason);
  return null;
}

function textOf(res: GenerateContentResponse): string {
  return (res.candidates?.[0]?.content?.parts ?? []).map((p: Part) => (p.thought ? '' : (p.text ?? ''))).join('');
}

export class GeminiClient {
  private readonly ai: GoogleGenAI;
  readonly textModel: string;
  readonly imageModel: string;
  private readonly o: Required<Omit<GeminiClientOptions, 'baseUrl' | 'apiKey'>>;

  constructor(options: GeminiClientOptions) {
    this.ai = new GoogleGenAI({ apiKey: options.apiKey, httpOptions: { ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}), fetch: capturingFetch } });
    this.textModel = options.textModel;
    this.imageModel = options.imageModel;
    this.o = {
      textModel: options.textModel,
      imageModel: options.imageModel,
      prices: options.prices,
      timeoutMs: options.timeoutMs ?? 90_000,
      maxAttempts: options.maxAttempts ?? 4,
      baseDelayMs: options.baseDelayMs ?? 1_000,
      maxDelayMs: options.maxDelayMs ?? 20_000,
      maxWaitMs: options.maxWaitMs ?? 60_000,
    };
  }

  private cost(tokens: { input: number; output: number }, images: number): number {
    const p = this.o.prices;
    return (tokens.input / 1000) * p.inputPer1k + (tokens.output / 1000) * p.outputPer1k + images * p.perImage;
  }

  private row(model: string, hash: string, started: number, outcome: GenerationRecord['outcome'], tokens = { input: 0, output: 0 }, images = 0, error?: string): GenerationRecord {
    return {
      provider: 'gemini',
      model,
      promptHash: hash,
      inputTokens: tokens.input,
      outputTokens: tokens.output,
      images,
      costJpy: this.cost(tokens, images),
      durationMs: Math.round(performance.now() - started),
      outcome,
      error: error ?? null,
    };
  }

  /**
   * One logical call with retries. `attempt` does the request within the given signal and returns
   * the response plus what to record; it throws AgentError for outcomes that must not be retried.
   */
  private async withRetries<R>(
    step: string,
    model: string,
    hash: string,
    call: ProviderCall,
    timeoutMs: number,
    attempt: (signal: AbortSignal) => Promise<{ value: R; res: GenerateContentResponse | undefined; images: number; invalid?: string }>,
  ): Promise<R> {
    let waited = 0;
    for (let n = 1; ; n++) {
      if (call.signal.aborted) throw new AgentError('cancelled', 'The run was cancelled.');
      const started = performance.now();
      const timeout = AbortSignal.timeout(timeoutMs);
      const signal = AbortSignal.any([call.signal, timeout]);
      const s: CallSlot = { retryAfterMs: null };
      try {
        const { value, res, images, invalid } = await slot.run(s, () => attempt(signal));
        call.record(this.row(model, hash, started, invalid ? 'invalid' : 'ok', usage(res), images, invalid));
        return value;
      } catch (error) {
        if (call.signal.aborted) {
          call.record(this.row(model, hash, started, 'cancelled'));
          throw new AgentError('cancelled', 'The run was cancelled.', { cause: error });
        }
        if (error instanceof AgentError) {
          // Already classified (blocked / malformed); the attempt recorded what it cost.
          throw error;
        }
        const timedOut = timeout.aborted;
        const status = error instanceof ApiError ? error.status : null;
        const retryable = timedOut || (status !== null && RETRYABLE.has(status)) || (status === null && error instanceof TypeError);
        const message = timedOut ? `no answer within ${Math.round(timeoutMs / 1000)} s` : error instanceof Error ? error.message.slice(0, 500) : String(error);
        if (retryable && n < this.o.maxAttempts) {
          const hinted = s.retryAfterMs ?? (error instanceof ApiError ? retryDelayFromBody(error.message) : null);
          const backoff = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** (n - 1));
          // Full jitter spreads retries of many workers; a server's hint is a floor.
          const delay = Math.max(hinted ?? 0, Math.random() * backoff);
          if (waited + delay <= this.o.maxWaitMs) {
            call.record(this.row(model, hash, started, 'retried', undefined, 0, `${status ?? 'timeout'}: ${message}`));
            waited += delay;
            await sleep(delay, call.signal);
            continue;
          }
        }
        call.record(this.row(model, hash, started, 'error', undefined, 0, `${status ?? (timedOut ? 'timeout' : 'network')}: ${message}`));
        if (timedOut) throw new AgentError('timeout', `Gemini did not answer the ${step} request in time (${n} attempt${n > 1 ? 's' : ''}).`, { cause: error });
        if (status === 429) throw new AgentError('rate-limited', `Gemini is rate-limiting this key (HTTP 429) for the ${step} request, still after ${n} attempts. Try again later or raise the quota.`, { cause: error });
        if (status !== null && status >= 500) throw new AgentError('unavailable', `Gemini failed the ${step} request with HTTP ${status} ${n} times in a row; giving up.`, { cause: error });
        if (status !== null) throw new AgentError('provider', `Gemini rejected the ${step} request (HTTP ${status}): ${message}`, { cause: error });
        throw new AgentError('unavailable', `Could not reach Gemini for the ${step} request: ${message}`, { cause: error });
      }
    }
  }

  private hash(parts: unknown): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  }

  /** Structured output: JSON mode with the schema, validated by zod; one repair round. */
  async json<T>(req: JsonRequest<T>, call: ProviderCall): Promise<T> {
    const model = this.textModel;
    const responseJsonSchema = jsonSchemaFor(req.schema);
    const hash = this.hash({ model, system: req.system, prompt: req.prompt, step: req.step });
    const config = (signal: AbortSignal): GenerateContentConfig => ({
      systemInstruction: req.system,
      responseMimeType: 'application/json',
      responseJsonSchema,
      temperature: 0.7,
      abortSignal: signal,
    });
    const contents: Content[] = [{ role: 'user', parts: [{ text: req.prompt }] }];

    type Parsed = { ok: true; value: T; text: string } | { ok: false; error: string; text: string };
    const parse = (text: string): Parsed => {
      let raw: unknown;
      try {
        raw = JSON.parse(text.trim().replace(/^```(?:json)?\s*|\s*```$/g, ''));
      } catch (e) {
        return { ok: false, error: `not JSON (${e instanceof Error ? e.message : String(e)})`, text };
      }
      const parsed = req.schema.safeParse(raw);
      if (!parsed.success) return { ok: false, error: parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), text };
      return { ok: true, value: parsed.data, text };
    };

    // Across retries of a stream: never send the same prose twice (a retried stream starts over).
    let emitted = 0;
    const once = async (conts: Content[], stream: boolean): Promise<Parsed> =>
      this.withRetries(req.step, model, hash, call, stream ? this.o.timeoutMs * 3 : this.o.timeoutMs, async (signal) => {
        const started = performance.now();
        let res: GenerateContentResponse | undefined;
        let text = '';
        if (stream && req.streamField && call.onText) {
          const it = await this.ai.models.generateContentStream({ model, contents: conts, config: config(signal) });
          for await (const chunk of it) {
            res = chunk;
            const b = blockReason(chunk);
            if (b && b !== 'NO_CANDIDATE') break;
            text += textOf(chunk);
            const partial = partialStringField(text, req.streamField);
            if (partial !== null && partial.length > emitted) {
              call.onText(req.streamField, partial.slice(emitted));
              emitted = partial.length;
            }
          }
        } else {
          res = await this.ai.models.generateContent({ model, contents: conts, config: config(signal) });
          text = textOf(res);
        }
        const blocked = res ? blockReason(res) : 'NO_RESPONSE';
        // The last chunk of a stream may carry only usage: a block is a block only without text.
        if (blocked && !(stream && text && blocked === 'NO_CANDIDATE')) {
          call.record(this.row(model, hash, started, 'blocked', usage(res), 0, blocked));
          throw new AgentError('blocked', `Gemini refused the ${req.step} request (${blocked}). Edit the story or the feedback and try again.`);
        }
        const parsed = parse(text);
        return { value: parsed, res, images: 0, invalid: parsed.ok ? undefined : parsed.error.slice(0, 500) };
      });

    const r1 = await once(contents, !!req.streamField);
    if (r1.ok) return r1.value;
    // One repair round: show the model its answer and what is wrong with it.
    const repair: Content[] = [
      ...contents,
      { role: 'model', parts: [{ text: r1.text.slice(0, 30_000) }] },
      { role: 'user', parts: [{ text: `That answer is not valid: ${r1.error}. Reply again with only the corrected JSON that matches the schema.` }] },
    ];
    const r2 = await once(repair, false);
    if (r2.ok) return r2.value;
    throw new AgentError('malformed', `Gemini returned malformed output for ${req.step} twice (${r2.error}); nothing was written.`);
  }

  /** One image, with reference images as inline parts (character consistency). */
  async image(req: ImageRequest, call: ProviderCall): Promise<ImageResult> {
    const model = this.imageModel;
    const parts: Part[] = [{ text: req.prompt }];
    for (const ref of req.references) {
      parts.push({ text: `Reference sheet for ${ref.label}: keep this character's design.` });
      parts.push({ inlineData: { mimeType: ref.mime, data: Buffer.from(ref.bytes).toString('base64') } });
    }
    const hash = this.hash({ model, prompt: req.prompt, refs: req.references.map((r) => createHash('sha256').update(r.bytes).digest('hex')) });
    return this.withRetries(req.step, model, hash, call, this.o.timeoutMs, async (signal) => {
      const started = performance.now();
      const res = await this.ai.models.generateContent({
        model,
        contents: [{ role: 'user', parts }],
        config: { responseModalities: ['IMAGE', 'TEXT'], abortSignal: signal, ...(req.aspect && Number.isFinite(req.aspect) && req.aspect > 0 ? { imageConfig: { aspectRatio: nearestAspect(req.aspect) } } : {}) },
      });
      const blocked = blockReason(res);
      if (blocked) {
        call.record(this.row(model, hash, started, 'blocked', usage(res), 0, blocked));
        throw new AgentError('blocked', `Gemini refused to draw ${req.step} (${blocked}).`);
      }
      const img = (res.candidates?.[0]?.content?.parts ?? []).find((p) => p.inlineData?.data);
      if (!img?.inlineData?.data) {
        call.record(this.row(model, hash, started, 'invalid', usage(res), 0, 'no image in the response'));
        throw new AgentError('malformed', `Gemini answered ${req.step} without an image.`);
      }
      return { value: { bytes: new Uint8Array(Buffer.from(img.inlineData.data, 'base64')), mime: img.inlineData.mimeType ?? 'image/png' }, res, images: 1 };
    });
  }
}
