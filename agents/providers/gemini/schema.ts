/**
 * JSON Schema for Gemini's structured output, derived from the same zod schemas that validate
 * the answer (so the request and the check can never drift apart).
 */
import { z } from 'zod';

/** Keywords Gemini's schema subset does not take; dropping them only loosens the request (zod still checks). */
const DROP = new Set(['$schema', 'additionalProperties', '$id', 'id']);

function clean(node: unknown, parentKey: string | null): unknown {
  if (Array.isArray(node)) return node.map((n) => clean(n, parentKey));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    // 'id' is only a keyword at schema level, never inside `properties` (where it names a field).
    if (DROP.has(k) && parentKey !== 'properties') continue;
    out[k] = clean(v, k);
  }
  return out;
}

export function jsonSchemaFor(schema: z.ZodType): unknown {
  return clean(z.toJSONSchema(schema, { unrepresentable: 'any' }), null);
}
