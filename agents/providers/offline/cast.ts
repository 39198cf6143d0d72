/**
 * Finding the cast of a story without a model. Candidates come from evidence a reader would
 * use — who speaks (「…」とミキが聞いた, "…," Tobias said), honorifics (松井さん), introductions
 * (店主の孫、黒田湊だ / a boy named Elias Park), names as sentence subjects — and each piece
 * of evidence adds to a score. Short forms are linked to the full name they belong to
 * (湊 → 黒田湊, Tobias → Tobias Quill).
 */
import { isTimeShift, type Span, type StoryText } from './story';
import {
  EN_NOT_NAMES,
  EN_PLACE_NOUNS,
  EN_SPEECH_VERBS,
  JA_HONORIFICS,
  JA_NOT_NAMES,
  JA_SPEECH_VERBS,
  JA_SURNAMES,
} from './lexicon';

export interface CastMember {
  id: string;
  name: string;
  aliases: string[];
  /** Where any of its names occurs (narration and speech), in text order. */
  mentions: Span[];
  score: number;
  /** The words the story introduces them with (高校二年, a boy), if any. */
  descriptor: string | null;
  gender: 'f' | 'm' | null;
}

interface Candidate {
  name: string;
  score: number;
  descriptor: string | null;
  first: number;
}

const NAME_CHARS = '\\u3005\\u3400-\\u9fff\\u30a1-\\u30f6\\u30fc\\u3041-\\u3096';
const HONORIFIC_RE = new RegExp(`([${NAME_CHARS}]{1,10})(?:${JA_HONORIFICS.join('|')})`, 'g');
const HIRA = /[\u3041-\u3096]/;
const KANJI = /[\u3005\u3400-\u9fff]/;
const KATA = /[\u30a1-\u30f6\u30fc]/;

function script(c: string): 'h' | 'k' | 'c' | 'o' {
  return HIRA.test(c) ? 'h' : KATA.test(c) ? 'k' : KANJI.test(c) ? 'c' : 'o';
}

/**
 * A run of name-like characters read backwards from a particle often swallows the words in
 * front of the name (八百屋の松井, でも松井): cut after the last の, and at a kana→kanji/katakana
 * change (names rarely switch from hiragana to kanji).
 */
export function trimJaRun(run: string): string {
  let s = run;
  const no = s.lastIndexOf('の');
  if (no >= 0 && no < s.length - 1) s = s.slice(no + 1);
  for (let i = s.length - 1; i > 0; i--) {
    if (script(s[i - 1]) === 'h' && script(s[i]) !== 'h') {
      s = s.slice(i);
      break;
    }
  }
  // A hiragana particle glued in front (はすみれ, をケン) is not part of the name.
  const m = /^(?:は|が|を|に|と|も|へ|で)(.{2,})$/.exec(s);
  if (m && script(s[0]) === 'h' && script(m[1][0]) !== 'h') s = m[1];
  // A noun and a particle in front (本当はおじい): the name starts after the particle.
  const np = /^[\u3005\u3400-\u9fff]+(?:は|が|を|に|と|も|へ|で)(.+)$/.exec(s);
  if (np) s = np[1];
  // Patterns with an optional honorific can still end on one (松井さん).
  for (const h of JA_HONORIFICS) if (s.length > h.length && s.endsWith(h)) s = s.slice(0, -h.length);
  return s;
}

function plausibleJaName(s: string): boolean {
  if (s.length < 1 || s.length > 8) return false;
  if (JA_NOT_NAMES.has(s)) return false;
  // Mostly hiragana words of one character are particles; long hiragana runs are phrases.
  if (/^[\u3041-\u3096]+$/.test(s) && (s.length < 2 || s.length > 4)) return false;
  if (/^[\u3041-\u3096]/.test(s) && /(?:った|ます|です|ない|ける|れる|よう|して)$/.test(s)) return false;
  return true;
}

function add(cands: Map<string, Candidate>, name: string, score: number, at: number, descriptor: string | null = null): void {
  const c = cands.get(name);
  if (c) {
    c.score += score;
    c.first = Math.min(c.first, at);
    c.descriptor ??= descriptor;
  } else cands.set(name, { name, score, descriptor, first: at });
}

function jaCandidates(story: StoryText): Map<string, Candidate> {
  const { text } = story;
  const cands = new Map<string, Candidate>();
  const runBefore = (end: number): string => {
    let start = end;
    while (start > 0 && new RegExp(`[${NAME_CHARS}]`).test(text[start - 1]) && end - start < 12) start--;
    return text.slice(start, end);
  };

  for (const q of story.quotes) {
    if (q.kind !== 'speech') continue;
    // After the quote: 「…」とミキが聞いた / 「…」と湊さんは言った
    const after = text.slice(q.end, q.end + 24);
    const m = new RegExp(`^と、?([${NAME_CHARS}]{1,8}?)(?:${JA_HONORIFICS.join('|')})?(?:が|は)、?(.{0,6})`).exec(after);
    if (m && plausibleJaName(trimJaRun(m[1])) && JA_SPEECH_VERBS.test(m[2])) add(cands, trimJaRun(m[1]), 3, q.end);
    // Before the quote: 松井さんは「…」
    const before = text.slice(Math.max(0, q.start - 16), q.start);
    const b = new RegExp(`([${NAME_CHARS}]{1,12}?)(?:${JA_HONORIFICS.join('|')})?(?:は|が)、?$`).exec(before);
    if (b) {
      const name = trimJaRun(b[1]);
      if (plausibleJaName(name)) add(cands, name, 3, q.start - b[0].length);
    }
  }

  for (const m of text.matchAll(HONORIFIC_RE)) {
    const name = trimJaRun(m[1]);
    if (m.index !== undefined && plausibleJaName(name)) add(cands, name, 3, m.index + m[1].length - name.length);
  }

  // Introductions: 高校二年の佐倉ひなたは / 店主の孫、黒田湊だ — a surname and a given name.
  const intro = /(?:の|、)([\u3005\u3400-\u9fff]{1,3})([\u3041-\u3096]{2,4}|[\u3005\u3400-\u9fff]{1,2}|[\u30a1-\u30f6\u30fc]{2,5})(?=だ|です|である|は|が|も|と|に)/g;
  for (const m of text.matchAll(intro)) {
    if (m.index === undefined) continue;
    const [surname, given] = [m[1], m[2]];
    if (/^(?:から|まで|ので|のに|けど|だけ|ばかり|など|って|では|には|とは|より)$/.test(given)) continue;
    if ((JA_HONORIFICS as readonly string[]).includes(given)) continue;
    const known = JA_SURNAMES.has(surname) || JA_SURNAMES.has(surname.slice(0, 2)) || JA_SURNAMES.has(surname.slice(0, 1));
    // All-kanji words of two or three characters are mostly nouns (本当, 店主): only a known
    // surname makes them a name.
    if (!known && KANJI.test(given[0])) continue;
    const name = surname + given;
    const start = m.index + 1;
    // What the story calls them first: the words before the の/、 back to the clause start.
    const before = runBefore(m.index).replace(/の$/, '');
    // 高校二年 / 店主の孫 describe a person; 図書館で (a place phrase) does not.
    const descriptor = before && !/[でにへをはがとも]$/.test(before) ? before : null;
    add(cands, name, known ? 3 : 1.5, start, descriptor);
  }

  // Subjects at a clause start: ケンは…, すみれは… (kana names; kanji would catch every noun).
  const subject = /(?:^|[、。」！？!?\n])([\u30a1-\u30f6\u30fc]{2,6}|[\u3041-\u3096]{2,4})(?=は|が)/gm;
  for (const m of text.matchAll(subject)) {
    if (m.index === undefined) continue;
    const name = m[1];
    if (!plausibleJaName(name)) continue;
    add(cands, name, 1, m.index + m[0].length - name.length);
  }
  return cands;
}

interface EnOccurrence {
  name: string;
  start: number;
  sentenceStart: boolean;
}

function enOccurrences(story: StoryText): EnOccurrence[] {
  const out: EnOccurrence[] = [];
  const re = /\b[A-Z][a-z'’]+(?:\s+[A-Z][a-z'’]+){0,2}\b/g;
  for (const m of story.text.matchAll(re)) {
    if (m.index === undefined) continue;
    let words = m[0].split(/\s+/);
    let start = m.index;
    // Strip sentence openers glued in front ("Then Tobias" → "Tobias").
    while (words.length && EN_NOT_NAMES.has(words[0].replace(/['’]s$/, ''))) {
      start = story.text.indexOf(words[1] ?? '', start + words[0].length);
      words = words.slice(1);
    }
    if (!words.length || start < 0) continue;
    words = words.map((w) => w.replace(/['’]s$/, ''));
    while (words.length > 1 && EN_NOT_NAMES.has(words[words.length - 1])) words = words.slice(0, -1);
    const before = story.text.slice(Math.max(0, start - 3), start);
    const sentenceStart = start === 0 || /(?:^|[.!?…]\s*["”]?\s*|\n\s*|["“]\s*)$/.test(story.text.slice(Math.max(0, start - 4), start)) || /^\s*$/.test(before);
    out.push({ name: words.join(' '), start, sentenceStart });
  }
  return out;
}

function enCandidates(story: StoryText): Map<string, Candidate> {
  const { text } = story;
  const cands = new Map<string, Candidate>();
  for (const o of enOccurrences(story)) {
    const words = o.name.split(' ');
    const before = text.slice(Math.max(0, o.start - 24), o.start);
    const after = text.slice(o.start + o.name.length, o.start + o.name.length + 24);
    let score = o.sentenceStart ? 0.5 : 1;
    if (/\b(?:the|a|an|of)\s+$/i.test(before)) score -= 3;
    if (EN_PLACE_NOUNS.has(words[words.length - 1]) || /^\s+(?:[A-Z][a-z]+\s+)?(?:Lighthouse|Street|Road|Bay|Harbor|Island|School|Station)\b/.test(after)) score -= 3;
    const verbAfter = /^\s+(\w+)/.exec(after)?.[1]?.toLowerCase();
    const verbBefore = /(\w+)\s+$/.exec(before)?.[1]?.toLowerCase();
    if ((verbAfter && EN_SPEECH_VERBS.has(verbAfter)) || (verbBefore && EN_SPEECH_VERBS.has(verbBefore) && /["”]\s*\w+\s+$|,\s*\w+\s+$/.test(before))) score += 3;
    if (/\b(?:named|called)\s+$/.test(before)) score += 3;
    if (words.length >= 2 && !/\b(?:the|a|an)\s+$/i.test(before)) score += 2;
    const descriptor = /\b((?:a|an|the|her|his|their)\s+(?:[a-z]+\s+){0,2}[a-z]+)\s+(?:named|called)\s+$/.exec(before)?.[1] ?? null;
    add(cands, o.name, score, o.start, descriptor);
  }
  return cands;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every occurrence of any of the names, longest names first so 湊 inside 黒田湊 counts once. */
function findMentions(text: string, names: string[], english: boolean): Span[] {
  const taken: boolean[] = new Array(text.length).fill(false);
  const out: Span[] = [];
  for (const n of [...names].sort((a, b) => b.length - a.length)) {
    const re = new RegExp(english ? `\\b${escapeRe(n)}\\b` : escapeRe(n), 'g');
    for (const m of text.matchAll(re)) {
      if (m.index === undefined) continue;
      if (taken[m.index]) continue;
      for (let i = m.index; i < m.index + n.length; i++) taken[i] = true;
      out.push({ start: m.index, end: m.index + n.length });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function genderOf(story: StoryText, mentions: Span[]): 'f' | 'm' | null {
  let f = 0;
  let m = 0;
  for (const s of mentions) {
    const window = story.text.slice(s.end, s.end + 120).split(/(?<=[.!?])\s/).slice(0, 2).join(' ').toLowerCase();
    f += (window.match(/\b(?:she|her|hers|herself)\b/g) ?? []).length;
    m += (window.match(/\b(?:he|him|his|himself)\b/g) ?? []).length;
    const before = story.text.slice(Math.max(0, s.start - 30), s.start).toLowerCase();
    if (/\b(?:boy|man|grandfather|father|brother|son|uncle|husband|king|mr\.?)\s+(?:named\s+)?$/.test(before)) m += 3;
    if (/\b(?:girl|woman|grandmother|mother|sister|daughter|aunt|wife|queen|mrs\.?|ms\.?|miss)\s+(?:named\s+)?$/.test(before)) f += 3;
  }
  if (f === m) return null;
  return f > m ? 'f' : 'm';
}

const THRESHOLD = 2;

export function findCast(story: StoryText): CastMember[] {
  // Both readers run when both scripts are there (an English story quoting a Japanese line).
  const cands = new Map<string, Candidate>();
  if (/[\u3040-\u30ff\u3400-\u9fff]/.test(story.text)) for (const [k, v] of jaCandidates(story)) cands.set(k, v);
  if (/[A-Z][a-z]/.test(story.text)) for (const [k, v] of enCandidates(story)) cands.set(k, v);
  const isLatin = (name: string) => /^[A-Za-z'’ ]+$/.test(name);
  const list = [...cands.values()].filter((c) => c.score > 0);
  // Longest names own the shorter forms inside them: 黒田湊 ⊃ 湊, Tobias Quill ⊃ Tobias.
  list.sort((a, b) => b.name.length - a.name.length || a.first - b.first);
  interface Group {
    name: string;
    aliases: Set<string>;
    score: number;
    descriptor: string | null;
    first: number;
  }
  const groups: Group[] = [];
  for (const c of list) {
    const english = isLatin(c.name);
    const owners = groups.filter((g) =>
      english
        ? g.name.split(' ').length > 1 && (g.name.startsWith(`${c.name} `) || g.name.endsWith(` ${c.name}`))
        : g.name !== c.name && (g.name.endsWith(c.name) || g.name.startsWith(c.name)),
    );
    // An English surname shared by two people (Quill) names neither of them.
    const owner = owners.length === 1 ? owners[0] : english ? undefined : owners.find((g) => g.name.endsWith(c.name)) ?? owners[0];
    if (owners.length > 1 && english) continue;
    if (owner) {
      owner.aliases.add(c.name);
      owner.score += c.score;
      owner.first = Math.min(owner.first, c.first);
      owner.descriptor ??= c.descriptor;
    } else groups.push({ name: c.name, aliases: new Set(), score: c.score, descriptor: c.descriptor, first: c.first });
  }
  const kept = groups.filter((g) => g.score >= THRESHOLD).sort((a, b) => a.first - b.first);
  // 早川美咲 is 美咲 in the next sentence: a known surname's given name is an alias when the
  // text uses it on its own.
  for (const g of kept) {
    if (isLatin(g.name)) continue;
    for (const len of [3, 2, 1]) {
      const surname = g.name.slice(0, len);
      const given = g.name.slice(len);
      if (!JA_SURNAMES.has(surname) || given.length < 1) continue;
      const alone = story.text.split(g.name).join('\u0000').includes(given);
      if (alone && !g.aliases.has(given) && !kept.some((o) => o !== g && (o.name === given || o.aliases.has(given)))) g.aliases.add(given);
      break;
    }
  }
  return kept.map((g, i) => {
    const aliases = [...g.aliases];
    const english = isLatin(g.name);
    const mentions = findMentions(story.text, [g.name, ...aliases], english);
    const descriptor = g.descriptor ?? (english ? null : jaDescriptor(story, mentions));
    return {
      id: `c${i + 1}`,
      name: g.name,
      aliases,
      mentions,
      score: g.score,
      descriptor,
      gender: english ? genderOf(story, mentions) : null,
    };
  });
}

/** 花屋の老婦人、すみれは → 花屋の老婦人: what the narration puts right before a name. */
function jaDescriptor(story: StoryText, mentions: Span[]): string | null {
  const inQuote = (at: number) => story.quotes.some((q) => q.start < at && at < q.end);
  const ordered = [...mentions.filter((m) => !inQuote(m.start)), ...mentions.filter((m) => inQuote(m.start))];
  for (const m of ordered) {
    const before = story.text.slice(Math.max(0, m.start - 14), m.start);
    if (!/[の、]$/.test(before)) continue;
    const clause = before.slice(0, -1).split(/[。「」\n！？]/).pop() ?? '';
    const words = clause.replace(/^.*?(?:は|が|を|に|で)(?=[\u3005\u3400-\u9fff])/, '');
    if (words.length >= 2 && words.length <= 12 && !/^(?:その|この|あの)/.test(words) && !/[でにへをはがとも]$/.test(words) && !isTimeShift(words, 'ja') && !/^(?:朝|昼|夜|夕方|放課後|今日|昨日|明日)/.test(words)) return words;
  }
  return null;
}

/** The member a bit of text names, if exactly one does (longest name first). */
export function memberNamed(cast: CastMember[], name: string): CastMember | undefined {
  return cast.find((c) => c.name === name) ?? cast.find((c) => c.aliases.includes(name));
}
