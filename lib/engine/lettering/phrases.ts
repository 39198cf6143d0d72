/**
 * Phrase boundaries for Japanese line breaking, from BudouX (Google's phrase segmenter, the
 * same model Chromium uses for `word-break: auto-phrase`). JLReq §3.1.2 allows a break between
 * any two characters, but manga lettering breaks columns between phrases (bunsetsu) so a
 * column reads as a unit; M16 measures how often we manage that.
 */
import { loadDefaultJapaneseParser } from 'budoux';

type Parser = ReturnType<typeof loadDefaultJapaneseParser>;
let parser: Parser | null = null;
function getParser(): Parser {
  if (!parser) parser = loadDefaultJapaneseParser();
  return parser;
}

const WHITESPACE = /\s|\u3000/u;

/**
 * String indices (UTF-16 offsets, as `text.slice` uses them) where a phrase ends and the next
 * begins; never 0 or `text.length`. Whitespace is a boundary on both sides.
 */
const cache = new Map<string, number[]>();
const CACHE_MAX = 10_000;

export function phraseBoundaries(text: string): number[] {
  if (text.length === 0) return [];
  const hit = cache.get(text);
  if (hit) return [...hit];
  const out = compute(text);
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(text, out);
  return [...out];
}

function compute(text: string): number[] {
  const out = new Set<number>();
  let at = 0;
  for (const phrase of getParser().parse(text)) {
    at += phrase.length;
    if (at > 0 && at < text.length) out.add(at);
  }
  for (let i = 0; i < text.length; i++) {
    if (WHITESPACE.test(text[i])) {
      if (i > 0) out.add(i);
      if (i + 1 < text.length) out.add(i + 1);
    }
  }
  return [...out].sort((a, b) => a - b);
}
