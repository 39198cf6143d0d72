/**
 * Strings must be well-formed UTF-16 before they enter a Yjs document. Yjs sends strings as
 * UTF-8, where a lone surrogate becomes U+FFFD: the writer would keep the character while every
 * other replica (and the server's durable copy) gets replacement characters, and the documents
 * would silently differ. Replacing lone surrogates before writing keeps every replica equal.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function wellFormed(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s;
}

/** Whether a string ends with the first half of a surrogate pair (a chunk cut mid-character). */
export function endsWithHighSurrogate(s: string): boolean {
  if (s.length === 0) return false;
  const c = s.charCodeAt(s.length - 1);
  return c >= 0xd800 && c <= 0xdbff;
}

/** A deep copy of a JSON value with well-formed strings, safe to store as a plain doc value. */
export function plainCopy(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' ? wellFormed(v) : v)));
}
