/**
 * Body, parameter and query validation with zod. Every failure is a 4xx with a message that
 * names the field, so fuzzed or hand-written bad input never reaches SQL as a 500.
 */
import { z } from 'zod';
import { HttpError, badRequest, payloadTooLarge, unsupportedMediaType, type ErrorDetail } from './errors';

/** Bodies above this are refused before parsing (200,000 chars of source text fit with room). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;
/** For bodies that are a few short fields (credentials, roles). */
export const SMALL_BODY_BYTES = 64 * 1024;

// C0 controls except tab, LF, FF and CR; DEL; lone surrogates; U+FFFD (what a lossy UTF-8
// decode leaves behind). PostgreSQL `text` cannot hold NUL at all, so this also keeps SQL safe.
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BROKEN = /[\u0000-\u0008\u000B\u000E-\u001F\u007F\uFFFD]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when a decoded string carries bytes no human text has (binary data, broken UTF-8). */
export function looksBinary(text: string): boolean {
  // No `u` flag on purpose: only a code-unit regex can see lone surrogates.
  return CONTROL_OR_BROKEN.test(text);
}

/** A single-line human string: trimmed, length-bounded, no control characters. */
export function plainText(options: { min?: number; max: number }) {
  return z
    .string()
    .trim()
    .min(options.min ?? 1, options.min && options.min > 1 ? `must be at least ${options.min} characters` : 'must not be blank')
    .max(options.max, `must be at most ${options.max} characters`)
    .refine((s) => !looksBinary(s) && !/[\n\r\t]/.test(s), 'must not contain control characters');
}

export const uuidParam = z.string().uuid('must be a UUID');

/** "title: must not be blank; language: expected one of ja|en" — the fields a client got wrong. */
export function describeZodError(error: z.ZodError): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : 'body';
    return `${where}: ${issue.message}`;
  });
  if (error.issues.length > 5) parts.push(`and ${error.issues.length - 5} more`);
  return parts.join('; ');
}

export function zodDetails(error: z.ZodError): ErrorDetail[] {
  return error.issues.slice(0, 20).map((issue) => ({
    path: issue.path.length ? issue.path.map(String).join('.') : 'body',
    message: issue.message,
  }));
}

export function parseWith<S extends z.ZodType>(schema: S, value: unknown, code = 'validation_failed'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, code, describeZodError(result.error), {}, zodDetails(result.error));
  return result.data;
}

/** Read the raw body with a size cap; refuses early on a declared Content-Length. */
export async function readBodyBytes(req: Request, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw payloadTooLarge(`request body is larger than ${maxBytes} bytes`);
  }
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(`request body is larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Strict UTF-8 decoding: `null` when the bytes are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    // ignoreBOM: false strips a leading BOM, which editors on Windows like to add.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

function mediaType(req: Request): string {
  return (req.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
}

/** Parse a JSON body and validate it. Missing/invalid JSON, wrong types → 400; other media → 415. */
export async function readJson<S extends z.ZodType>(req: Request, schema: S, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<z.output<S>> {
  const type = mediaType(req);
  if (type && type !== 'application/json' && !type.endsWith('+json')) {
    throw unsupportedMediaType(`expected a JSON body (Content-Type: application/json), got ${type}`);
  }
  return parseWith(schema, await parseJsonBytes(await readBodyBytes(req, maxBytes)));
}

async function parseJsonBytes(bytes: Uint8Array): Promise<unknown> {
  if (bytes.byteLength === 0) throw badRequest('invalid_json', 'request body is empty; expected a JSON object');
  const text = decodeUtf8(bytes);
  if (text === null) throw badRequest('invalid_encoding', 'request body is not valid UTF-8');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('invalid_json', 'request body is not valid JSON');
  }
}

/**
 * A body that may be JSON or multipart/form-data (so `curl -F sourceText=@story.txt` works).
 * File fields are decoded as strict UTF-8; a file that is not UTF-8 is reported through
 * `onBinaryFile(field)` so the caller can say exactly which field is binary.
 */
export async function readJsonOrForm<S extends z.ZodType>(
  req: Request,
  schema: S,
  options: { maxBytes?: number; onBinaryFile?: (field: string) => Error | undefined } = {},
): Promise<z.output<S>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const type = mediaType(req);
  if (type !== 'multipart/form-data' && type !== 'application/x-www-form-urlencoded') {
    return readJson(req, schema, maxBytes);
  }
  const bytes = await readBodyBytes(req, maxBytes);
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { 'content-type': req.headers.get('content-type') ?? type } }).formData();
  } catch {
    throw badRequest('invalid_form', 'request body is not valid form data');
  }
  const record: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === 'string') {
      record[key] = value;
      continue;
    }
    const text = decodeUtf8(new Uint8Array(await value.arrayBuffer()));
    if (text === null) {
      throw options.onBinaryFile?.(key) ?? badRequest('invalid_encoding', `${key} is not UTF-8 text`);
    }
    record[key] = text;
  }
  return parseWith(schema, record);
}

/** Validate route params (Next passes them as a promise in v15+). */
export async function readParams<S extends z.ZodType>(params: Promise<unknown> | unknown, schema: S): Promise<z.output<S>> {
  return parseWith(schema, await params, 'invalid_parameter');
}

export function readQuery<S extends z.ZodType>(req: Request, schema: S): z.output<S> {
  const url = new URL(req.url);
  return parseWith(schema, Object.fromEntries(url.searchParams.entries()), 'invalid_query');
}

/** Like readJson, but an empty body counts as `{}` (endpoints whose every field is optional). */
export async function readOptionalJson<S extends z.ZodType>(req: Request, schema: S, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<z.output<S>> {
  const bytes = await readBodyBytes(req, maxBytes);
  if (bytes.byteLength === 0) return parseWith(schema, {});
  const type = mediaType(req);
  if (type && type !== 'application/json' && !type.endsWith('+json')) {
    throw unsupportedMediaType(`expected a JSON body (Content-Type: application/json), got ${type}`);
  }
  return parseWith(schema, await parseJsonBytes(bytes));
}
