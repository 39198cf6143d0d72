/**
 * Beats from the text's own structure. A Japanese short story gets kishōtenketsu (ki: the
 * situation, shō: its development, ten: the turn, ketsu: what it comes to); everything else
 * three acts. Act boundaries fall on paragraph boundaries near the classic proportions, pulled
 * towards scene breaks and time shifts ("翌日", "At dawn") and, for ten, towards the paragraph
 * where the story turns (本当は, 実は, suddenly, …). Long acts split into several beats.
 */
import { isTimeShift, type Paragraph, type StoryText } from './story';

export type Act = 'setup' | 'confrontation' | 'resolution' | 'ki' | 'sho' | 'ten' | 'ketsu';

export interface StoryBeat {
  id: string;
  act: Act;
  /** Paragraph indices [first, last]. */
  paragraphs: [number, number];
  span: [number, number];
  title: string;
  summary: string;
  pageBudget: number;
  /** The paragraph where the story turns, when this beat holds it. */
  turn: number | null;
}

const TWIST_JA = /本当は|実は|まさか|突然|ところが|しかし|だが|なんと|初めて|初恋|驚|涙|五十年|気づ|わかった|正体|秘密|消え|倒れ|入院/g;
const TWIST_EN = /\b(?:suddenly|but|instead|realized|truth|secret|no one|where no|never|too close|dead|gone|finally|first time|turned out)\b|!/gi;

function twistScore(p: Paragraph, language: string): number {
  const re = language === 'ja' ? TWIST_JA : TWIST_EN;
  return (p.text.match(re) ?? []).length;
}

/** Picks a boundary (index of the first paragraph of the next act) near `target` (0..1). */
function pickBoundary(story: StoryText, target: number, lo: number, hi: number, turnBias: boolean): number {
  const n = story.paragraphs.length;
  let best = Math.max(lo, Math.min(hi, Math.round(target * n)));
  let bestCost = Number.POSITIVE_INFINITY;
  for (let i = lo; i <= hi; i++) {
    const p = story.paragraphs[i];
    if (!p) continue;
    let cost = Math.abs(i / n - target) * 10;
    const prev = story.paragraphs[i - 1];
    if (prev && prev.scene !== p.scene) cost -= 1.6;
    if (isTimeShift(p.text, story.language)) cost -= 1.0;
    if (turnBias) cost -= Math.min(3, twistScore(p, story.language)) * 0.4;
    if (cost < bestCost) {
      bestCost = cost;
      best = i;
    }
  }
  return best;
}

function firstSentence(story: StoryText, paragraph: number): string {
  return story.sentences.find((s) => s.paragraph === paragraph)?.text ?? story.paragraphs[paragraph]?.text ?? '';
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= n ? t : `${t.slice(0, n - 1)}…`;
}

/** One or two sentences that carry the beat: its first narration and, if different, its last. */
function summarize(story: StoryText, first: number, last: number): string {
  const narration = (i: number) =>
    story.sentences.filter((s) => s.paragraph === i && !/^[「"“]/.test(s.text)).map((s) => s.text);
  const head: string[] = [];
  for (let i = first; i <= last && head.length < 2; i++) head.push(...narration(i).slice(0, 2 - head.length));
  const tail = last > first ? narration(last).slice(-1) : [];
  const parts = [...head, ...tail.filter((t) => !head.includes(t))];
  if (!parts.length) parts.push(firstSentence(story, first));
  return clip(parts.join(story.language === 'ja' ? '' : ' '), 600);
}

const ACT_TITLES: Record<Act, { ja: string; en: string }> = {
  ki: { ja: '起', en: 'Ki — introduction' },
  sho: { ja: '承', en: 'Shō — development' },
  ten: { ja: '転', en: 'Ten — the turn' },
  ketsu: { ja: '結', en: 'Ketsu — conclusion' },
  setup: { ja: '序', en: 'Setup' },
  confrontation: { ja: '破', en: 'Confrontation' },
  resolution: { ja: '急', en: 'Resolution' },
};

/** Characters a page holds, roughly: a page of manga is ~5 panels of a sentence or line each. */
function charsPerPage(language: string): number {
  return language === 'ja' ? 220 : 520;
}

export function planBeats(story: StoryText, structure?: 'three-act' | 'kishotenketsu'): { structure: 'three-act' | 'kishotenketsu'; beats: StoryBeat[] } {
  const n = story.paragraphs.length;
  const chosen = structure ?? (story.language === 'ja' ? 'kishotenketsu' : 'three-act');
  if (n === 0) return { structure: chosen, beats: [] };
  const acts: Act[] = chosen === 'kishotenketsu' ? ['ki', 'sho', 'ten', 'ketsu'] : ['setup', 'confrontation', 'resolution'];
  // Boundaries: index of the first paragraph of acts 2..k.
  const bounds: number[] = [];
  if (n >= acts.length) {
    const targets = chosen === 'kishotenketsu' ? [0.25, 0.5, 0.8] : [0.25, 0.75];
    let lo = 1;
    targets.forEach((t, k) => {
      const remaining = targets.length - k - 1;
      const hi = n - 1 - remaining;
      const isTen = chosen === 'kishotenketsu' && k === 1;
      const b = pickBoundary(story, t, lo, hi, isTen);
      bounds.push(b);
      lo = b + 1;
    });
  } else {
    // Fewer paragraphs than acts: one act per paragraph, the last acts take what is left.
    for (let i = 1; i < n; i++) bounds.push(i);
  }
  const ranges: Array<[number, number, Act]> = [];
  const starts = [0, ...bounds];
  starts.forEach((s, k) => {
    const e = (starts[k + 1] ?? n) - 1;
    // With fewer paragraphs than acts the middle acts drop out; ki and ketsu stay.
    const act = starts.length < acts.length && k === starts.length - 1 ? acts[acts.length - 1] : acts[k];
    ranges.push([s, e, act]);
  });

  const perPage = charsPerPage(story.language);
  const beats: StoryBeat[] = [];
  for (const [s, e, act] of ranges) {
    // Split a long act at scene breaks / time shifts or evenly, so one beat ≈ 1–4 pages.
    const chars = story.paragraphs.slice(s, e + 1).reduce((a, p) => a + p.text.length, 0);
    // The schema holds at most 60 beats: a very long story gets longer beats, not more.
    const parts = Math.max(1, Math.min(e - s + 1, Math.floor(60 / acts.length), Math.round(chars / (perPage * 3))));
    const cuts: number[] = [s];
    for (let k = 1; k < parts; k++) {
      const target = s + Math.round(((e - s + 1) * k) / parts);
      let best = target;
      for (let i = Math.max(cuts[cuts.length - 1] + 1, target - 2); i <= Math.min(e, target + 2); i++) {
        const p = story.paragraphs[i];
        if ((story.paragraphs[i - 1] && story.paragraphs[i - 1].scene !== p.scene) || isTimeShift(p.text, story.language)) best = i;
      }
      if (best > cuts[cuts.length - 1] && best <= e) cuts.push(best);
    }
    cuts.forEach((c, k) => {
      const last = (cuts[k + 1] ?? e + 1) - 1;
      const ps = story.paragraphs.slice(c, last + 1);
      const len = ps.reduce((a, p) => a + p.text.length, 0);
      let turn: number | null = null;
      if (act === 'ten' || act === 'confrontation') {
        let best = -1;
        for (const p of ps) {
          const sc = twistScore(p, story.language);
          if (sc > best) {
            best = sc;
            turn = p.index;
          }
        }
      }
      const label = story.language === 'ja' ? ACT_TITLES[act].ja : ACT_TITLES[act].en;
      beats.push({
        id: `b${beats.length + 1}`,
        act,
        paragraphs: [c, last],
        span: [ps[0].start, ps[ps.length - 1].end],
        title: clip(`${label}${cuts.length > 1 ? ` ${k + 1}` : ''}: ${firstSentence(story, c)}`, 300),
        summary: summarize(story, c, last),
        // ~5 panels a page; a paragraph makes about one panel, a quoted line another.
        pageBudget: Math.max(1, Math.min(60, Math.round((ps.length + story.quotes.filter((q) => q.paragraph >= c && q.paragraph <= last).length * 0.5 + len / perPage) / 5))),
        turn,
      });
    });
  }
  return { structure: chosen, beats };
}
