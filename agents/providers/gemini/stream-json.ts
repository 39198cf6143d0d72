/**
 * Reading one string field out of a JSON object while it is still being streamed, so prose
 * (a synopsis, an outline) can appear in the document as the model writes it.
 */

/** The decoded value of `"field": "…` so far (possibly incomplete), or null before it starts. */
export function partialStringField(json: string, field: string): string | null {
  const key = new RegExp(`"${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*"`);
  const m = key.exec(json);
  if (!m) return null;
  let out = '';
  for (let i = m.index + m[0].length; i < json.length; i++) {
    const c = json[i];
    if (c === '"') return out;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = json[i + 1];
    if (n === undefined) return out; // an escape cut in half: wait for the next chunk
    if (n === 'u') {
      const hex = json.slice(i + 2, i + 6);
      if (hex.length < 4) return out;
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 5;
      continue;
    }
    out += ({ n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', '"': '"', '\\': '\\', '/': '/' } as Record<string, string>)[n] ?? n;
    i += 1;
  }
  return out;
}
