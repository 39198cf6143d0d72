/**
 * Reading a story's structure without a model: title, paragraphs, scenes, sentences and the
 * quoted lines, each with character offsets into the original text (so beats can point back
 * at the source). Works for Japanese (「」『』, lines as paragraphs) and English ("…", “…”,
 * blank-line paragraphs).
 */
import type { Language } from '../../../lib/engine/types';

export interface Span {
  start: number;
  end: number;
}

export interface Paragraph extends Span {
  index: number;
  text: string;
  scene: number;
}

export interface Sentence extends Span {
  index: number;
  paragraph: number;
  text: string;
}

export type QuoteKind = 'speech' | 'written' | 'title';

export interface Quote extends Span {
  index: number;
  paragraph: number;
  /** The words inside the brackets or quotation marks. */
  text: string;
  kind: QuoteKind;
}

export interface Scene extends Span {
  index: number;
  paragraphs: number[];
}

export interface StoryText {
  text: string;
  language: Language;
  title: string | null;
  paragraphs: Paragraph[];
  sentences: Sentence[];
  quotes: Quote[];
  scenes: Scene[];
}

const JA_CHAR = /[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]/g;
const LATIN_CHAR = /[A-Za-z]/g;

export function detectLanguage(text: string): Language {
  const ja = text.match(JA_CHAR)?.length ?? 0;
  const latin = text.match(LATIN_CHAR)?.length ?? 0;
  // Japanese text is dense: one kana/kanji carries what ~3 latin letters do.
  return ja * 3 >= latin ? 'ja' : 'en';
}

const TITLE_LINE = /^\s*(?:タイトル|題名|表題|Title)\s*[:：]\s*(.+?)\s*$/i;
const SCENE_MARKER = /^\s*(?:[*＊※◇◆■□●○・#＃~〜\-—=]\s*){1,}$/;
const JA_TIME_SHIFT = /^(?:翌日|翌朝|翌週|次の日|次の朝|その夜|その日の夜|その週末|週末|数日後|[一二三四五六七八九十百数\d]+(?:日|週間|か月|ヶ月|カ月|年)後|後日|あくる日|一方)/;
const EN_TIME_SHIFT =
  /^(?:At (?:dawn|dusk|noon|midnight|night)|The (?:next|following) (?:morning|day|night|week|evening)|(?:A|One|Two|Three|Several|Some|\w+) (?:days?|weeks?|months?|years?|hours?) later|Later(?: that)?|That (?:night|evening|morning)|Meanwhile|Years later)\b/i;

export function isTimeShift(paragraphText: string, language: Language): boolean {
  return language === 'ja' ? JA_TIME_SHIFT.test(paragraphText.trim()) : EN_TIME_SHIFT.test(paragraphText.trim());
}

interface RawLine extends Span {
  text: string;
}

function lines(text: string): RawLine[] {
  const out: RawLine[] = [];
  let at = 0;
  for (const raw of text.split('\n')) {
    out.push({ start: at, end: at + raw.length, text: raw });
    at += raw.length + 1;
  }
  return out;
}

/** Trim a span to its non-blank content. */
function trimSpan(text: string, s: Span): Span {
  let { start, end } = s;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

export function splitSentences(text: string, para: Paragraph, from: number): Sentence[] {
  const out: Sentence[] = [];
  const body = text.slice(para.start, para.end);
  let depth = 0;
  let begin = 0;
  const push = (endExclusive: number) => {
    const span = trimSpan(text, { start: para.start + begin, end: para.start + endExclusive });
    if (span.end > span.start) out.push({ ...span, index: from + out.length, paragraph: para.index, text: text.slice(span.start, span.end) });
    begin = endExclusive;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '「' || c === '『' || c === '“') depth++;
    else if ((c === '」' || c === '』' || c === '”') && depth > 0) {
      depth--;
      // A Japanese quote on its own ends its sentence when nothing attaches to it (と…, って…).
      if (depth === 0 && (i + 1 >= body.length || body[i + 1] === '「')) push(i + 1);
    } else if (c === '"') depth = depth > 0 ? depth - 1 : depth + 1;
    else if (depth === 0 && /[。！？!?.]/.test(c)) {
      let j = i + 1;
      while (j < body.length && /[。！？!?.…”"』」）)]/.test(body[j])) j++;
      // "Mr." and decimals are not sentence ends in English.
      if (c === '.' && j < body.length && !/\s/.test(body[j])) continue;
      push(j);
      i = j - 1;
    }
  }
  push(body.length);
  return out;
}

const JA_NAME_QUOTE_PREV = /[\u3400-\u9fffァ-ヶーA-Za-z0-9]$/;
const JA_ATTACH_NEXT = /^(?:の|が|に|へ|を|で|や|という|って店|という店)/;

function classifyJaQuote(text: string, q: Span, inner: string): QuoteKind {
  const before = text.slice(Math.max(0, q.start - 1), q.start);
  const after = text.slice(q.end, q.end + 12);
  // 古本屋「月影堂」の… : a bracketed name glued to a noun, not a line of speech.
  if (JA_NAME_QUOTE_PREV.test(before) && JA_ATTACH_NEXT.test(after) && inner.length <= 12 && !/[。！？!?、…]/.test(inner)) return 'title';
  // 張り紙には「…」とだけ書かれていた: written words (a sign, a letter), not speech.
  if (/^と(?:だけ|いう文字が|大きく|小さく)?(?:書|記|印刷|刻)/.test(after)) return 'written';
  return 'speech';
}

function findQuotes(text: string, paragraphs: Paragraph[], language: Language): Quote[] {
  const out: Quote[] = [];
  for (const p of paragraphs) {
    const body = text.slice(p.start, p.end);
    if (language === 'ja' || /[「『]/.test(body)) {
      let depth = 0;
      let open = -1;
      for (let i = 0; i < body.length; i++) {
        const c = body[i];
        if (c === '「' || (c === '『' && depth === 0)) {
          if (depth === 0) open = i;
          depth++;
        } else if ((c === '」' || (c === '』' && depth === 1)) && depth > 0) {
          depth--;
          if (depth === 0 && open >= 0) {
            const span = { start: p.start + open, end: p.start + i + 1 };
            const inner = body.slice(open + 1, i).trim();
            if (inner) out.push({ ...span, index: out.length, paragraph: p.index, text: inner, kind: classifyJaQuote(text, span, inner) });
            open = -1;
          }
        }
      }
    }
    // English quotation marks: straight quotes pair up in order; curly quotes are explicit.
    const re = /"([^"]+)"|“([^”]+)”/g;
    for (const m of body.matchAll(re)) {
      const inner = (m[1] ?? m[2] ?? '').trim();
      if (!inner || m.index === undefined) continue;
      // A single quoted token ("so-called", "__proto__") is not a line of speech: speech has
      // words and ends with punctuation, or at least has a space in it.
      if (!/\p{L}/u.test(inner) || (!/\s/.test(inner) && !/[.!?,…—-]$/.test(inner))) continue;
      const start = p.start + m.index;
      out.push({ start, end: start + m[0].length, index: out.length, paragraph: p.index, text: inner, kind: 'speech' });
    }
  }
  out.sort((a, b) => a.start - b.start);
  out.forEach((q, i) => (q.index = i));
  return out;
}

export function readStory(source: string, language?: Language): StoryText {
  // One newline convention, and no BOM: offsets then mean the same thing everywhere.
  const text = source.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  const lang = language ?? detectLanguage(text);
  const all = lines(text);
  let title: string | null = null;
  let first = 0;
  while (first < all.length && !all[first].text.trim()) first++;
  const titleMatch = first < all.length ? TITLE_LINE.exec(all[first].text) : null;
  if (titleMatch) {
    title = titleMatch[1];
    first++;
  } else if (first < all.length && !all[first + 1]?.text.trim()) {
    // A short first line standing alone, without sentence punctuation, is a title too.
    const line = all[first].text.trim();
    const rest = all.slice(first + 2).filter((l) => l.text.trim()).length;
    if (line.length <= 60 && rest >= 2 && !/[.!?。！？」”"…、,]$/.test(line) && !/[「"“]/.test(line)) {
      title = line;
      first++;
    }
  }

  // Blocks separated by blank lines (or by an explicit scene marker line).
  interface Block {
    lines: RawLine[];
    markerBefore: boolean;
  }
  const blocks: Block[] = [];
  let current: RawLine[] = [];
  let markerPending = false;
  const flush = () => {
    if (current.length) blocks.push({ lines: current, markerBefore: markerPending });
    if (current.length) markerPending = false;
    current = [];
  };
  for (const line of all.slice(first)) {
    if (!line.text.trim()) flush();
    else if (SCENE_MARKER.test(line.text)) {
      flush();
      markerPending = true;
    } else current.push(line);
  }
  flush();

  // Two conventions: Japanese web fiction writes one paragraph a line and separates scenes with
  // a blank line; English prose separates paragraphs with blank lines.
  const multiLine = blocks.filter((b) => b.lines.length >= 2).length;
  const blocksAreScenes = blocks.length > 0 && multiLine * 2 >= blocks.length;

  const paragraphs: Paragraph[] = [];
  let scene = -1;
  blocks.forEach((b, bi) => {
    const units: RawLine[] = blocksAreScenes ? b.lines : [{ start: b.lines[0].start, end: b.lines[b.lines.length - 1].end, text: '' }];
    units.forEach((u, ui) => {
      const span = trimSpan(text, u);
      if (span.end <= span.start) return;
      const ptext = text.slice(span.start, span.end);
      const newScene =
        scene < 0 ||
        (blocksAreScenes && ui === 0) ||
        (!blocksAreScenes && ui === 0 && (b.markerBefore || (bi > 0 && isTimeShift(ptext, lang))));
      if (newScene) scene++;
      paragraphs.push({ ...span, index: paragraphs.length, text: ptext, scene });
    });
  });

  const sentences: Sentence[] = [];
  for (const p of paragraphs) sentences.push(...splitSentences(text, p, sentences.length));

  const scenes: Scene[] = [];
  for (const p of paragraphs) {
    const s = scenes[p.scene] ?? (scenes[p.scene] = { index: p.scene, start: p.start, end: p.end, paragraphs: [] });
    s.paragraphs.push(p.index);
    s.end = p.end;
  }

  return { text, language: lang, title, paragraphs, sentences, quotes: findQuotes(text, paragraphs, lang), scenes };
}

/** Characters in the story's body: what budgets and page counts scale with. */
export function bodyLength(story: StoryText): number {
  return story.paragraphs.reduce((n, p) => n + p.text.length, 0);
}
