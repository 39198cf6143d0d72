/**
 * What the offline engine can do with feedback: it cannot rewrite prose, but it can follow
 * explicit directives, one per line or separated by ';' — "tone: darker", "ジャンル：ミステリー",
 * "structure: three-act", "主人公：ミキ". Anything else is kept for the record only.
 */
import type { CharactersOutput, ConceptOutput } from '../../../schema/phases';

const KEYS: Record<string, string> = {
  logline: 'logline', ログライン: 'logline',
  theme: 'theme', テーマ: 'theme',
  genre: 'genre', ジャンル: 'genre',
  tone: 'tone', トーン: 'tone', 雰囲気: 'tone',
  world: 'world', 世界観: 'world',
  setting: 'setting', 舞台: 'setting',
  keywords: 'keywords', キーワード: 'keywords',
  structure: 'structure', 構成: 'structure',
  protagonist: 'protagonist', 主人公: 'protagonist',
};

export function directives(feedback: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!feedback) return out;
  for (const part of feedback.split(/[\n;；]/)) {
    const m = /^\s*([^:：]{1,20}?)\s*[:：]\s*(.+?)\s*$/.exec(part);
    if (!m) continue;
    const key = KEYS[m[1].trim().toLowerCase()] ?? KEYS[m[1].trim()];
    if (key) out.set(key, m[2].slice(0, 2000));
  }
  return out;
}

export function applyConceptDirectives(c: ConceptOutput, d: Map<string, string>): ConceptOutput {
  const out = { ...c };
  for (const k of ['logline', 'theme', 'genre', 'tone', 'world', 'setting'] as const) {
    const v = d.get(k);
    if (v) out[k] = v;
  }
  const kw = d.get('keywords');
  if (kw) out.keywords = kw.split(/[,、，]/).map((x) => x.trim()).filter(Boolean).slice(0, 30);
  return out;
}

export function structureDirective(d: Map<string, string>): 'three-act' | 'kishotenketsu' | undefined {
  const v = d.get('structure')?.toLowerCase();
  if (!v) return undefined;
  if (/three|3|三幕/.test(v)) return 'three-act';
  if (/kish|起承転結/.test(v)) return 'kishotenketsu';
  return undefined;
}

export function applyCastDirectives(c: CharactersOutput, d: Map<string, string>): CharactersOutput {
  const who = d.get('protagonist');
  if (!who) return c;
  const target = c.cast.find((x) => x.name === who || x.aliases.includes(who));
  if (!target) return c;
  return {
    cast: c.cast.map((x) =>
      x.id === target.id ? { ...x, role: 'protagonist' } : x.role === 'protagonist' ? { ...x, role: 'deuteragonist' } : x,
    ),
  };
}
