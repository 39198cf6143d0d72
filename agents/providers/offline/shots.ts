/**
 * The shot list of the name (storyboard): one or more shots per paragraph, in story order,
 * each with the lines it carries (cues). Shot grammar from manga practice: an establishing shot
 * where a scene starts, close-ups for emotional lines, over-the-shoulder for exchanges, a
 * reveal (first panel after a page turn, big and slow) on the turn, a wide shot to end on.
 */
import type { BalloonKind, CameraAngle, ShotInput, ShotType } from '../../../lib/engine/types';
import type { CharactersOutput, PlotOutput } from '../../../schema/phases';
import type { StoryAnalysis } from './analysis';
import type { Sentence } from './story';

export interface Cue {
  kind: BalloonKind;
  text: string;
  speakerId: string | null;
  quote: number | null;
}

export interface ShotPlan {
  shots: ShotInput[];
  cues: Map<string, Cue[]>;
}

const EMOTION = /[！!]|……|涙|泣|叫|笑|驚|震え|trembl|tears?|cry|scream|shout|breathless/i;
const ACTION = /駆け|走|投げ|飛ん|飛ば|跳|殴|振り|掴|つかん|倒|ran\b|runs\b|threw|throw|swung|lifted|grabbed|pulled|climbed|slid|towed|shook|jump|flash/i;
const OBJECT = /傘|張り紙|手紙|本|帳|レジ|lever|plaque|letter|binoculars|shutter|clock|sign|box/i;

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= n ? t : `${t.slice(0, n - 1)}…`;
}

function speechKind(text: string): BalloonKind {
  if (/^[（(].*[）)]$/.test(text)) return 'thought';
  const bangs = (text.match(/[！!]/g) ?? []).length;
  if (bangs >= 2 || (bangs === 1 && text.length <= 14)) return 'shout';
  return 'speech';
}

/** Balloons hold about 60 Japanese characters or ~140 English ones: split longer lines at sentences. */
export function splitLine(raw: string, ja: boolean): string[] {
  // "There," Tobias said → the balloon reads "There." (the comma belonged to the attribution).
  const text = ja ? raw : raw.replace(/,$/, '.');
  const max = ja ? 28 : 48;
  if (text.length <= max) return [text];
  const parts = text.split(ja ? /(?<=[。！？])/ : /(?<=[.!?])\s+/).filter((p) => p.trim());
  const out: string[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (last !== undefined && (last + p).length <= max) out[out.length - 1] = ja ? last + p : `${last} ${p}`;
    else out.push(p.length > max * 1.6 ? p.slice(0, Math.floor(max * 1.6)) : p);
  }
  return out;
}

/** Narration box text from a sentence: short, and without the quoted speech inside it. */
function narrationText(s: Sentence, ja: boolean): string {
  const t = s.text.replace(/[「"“][^」"”]*[」"”]/g, '').replace(/\s+/g, ' ').trim();
  return clip(t, ja ? 40 : 110);
}

/**
 * The name holds at most 200 pages (~7 panels each). A story too long for that gets its shots
 * merged in runs: each run keeps its most important shot, the union of who is in it (first
 * three), and all its lines, so nothing said is lost — the book just moves faster.
 */
export const MAX_SHOTS = 190 * 6;

export function condenseShots(shots: ShotInput[], cues: Map<string, Cue[]> | null, max = MAX_SHOTS): ShotInput[] {
  if (shots.length <= max) return shots;
  const k = Math.ceil(shots.length / max);
  const out: ShotInput[] = [];
  for (let i = 0; i < shots.length; i += k) {
    const group = shots.slice(i, i + k);
    const lead = group.reduce((a, b) => (b.importance > a.importance ? b : a), group[0]);
    const merged: ShotInput = { ...lead, characters: [...new Set(group.flatMap((g) => g.characters))].slice(0, 3) };
    if (cues) {
      cues.set(lead.id, group.flatMap((g) => cues.get(g.id) ?? []).slice(0, 4));
      for (const g of group) if (g.id !== lead.id) cues.delete(g.id);
    }
    out.push(merged);
  }
  return out;
}

/** Analysis member → the characters output's id, by id, then by name or alias. */
export function mapCast(a: StoryAnalysis, characters: CharactersOutput): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of a.cast) {
    const names = new Set([m.name, ...m.aliases]);
    const hit =
      characters.cast.find((c) => c.id === m.id && (names.has(c.name) || c.aliases.some((x) => names.has(x)))) ??
      characters.cast.find((c) => names.has(c.name) || c.aliases.some((x) => names.has(x))) ??
      characters.cast.find((c) => c.id === m.id);
    if (hit) out.set(m.id, hit.id);
  }
  return out;
}

export function planShots(a: StoryAnalysis, characters: CharactersOutput, plot: PlotOutput | undefined, seed: number): ShotPlan {
  const { story } = a;
  const ja = story.language === 'ja';
  // The cast people kept (and may have renamed or trimmed): analysis ids → their ids.
  const idMap = mapCast(a, characters);
  const known = new Set(characters.cast.map((c) => c.id));
  const inCast = (id: string | null): id is string => id !== null && known.has(id);
  const shots: ShotInput[] = [];
  const cues = new Map<string, Cue[]>();
  // Beats: the plot's (people may have edited them) when their spans still fit the text.
  const beats = (plot?.beats ?? []).filter((b) => b.sourceSpan && b.sourceSpan[1] <= story.text.length);
  const beatAt = (pos: number): string | undefined => {
    const b = beats.find((x) => x.sourceSpan && x.sourceSpan[0] <= pos && pos < x.sourceSpan[1] + 1);
    return b?.id ?? a.beats.find((x) => x.span[0] <= pos && pos <= x.span[1])?.id;
  };
  const turns = new Set(a.beats.map((b) => b.turn).filter((t): t is number => t !== null));
  const camera = (label: string, options: CameraAngle[]): CameraAngle => options[hash(`${seed}:${label}`) % options.length];
  let lastSpeakers: string[] = [];

  const push = (shot: Omit<ShotInput, 'id'>, shotCues: Cue[]) => {
    const id = `s${String(shots.length + 1).padStart(3, '0')}`;
    const s: ShotInput = { id, ...shot };
    if (s.beatId === undefined) delete s.beatId;
    shots.push(s);
    cues.set(id, shotCues);
  };

  const mentionedIn = (from: number, to: number): string[] => {
    const found = a.cast
      .map((c) => ({ id: idMap.get(c.id) ?? '', at: c.mentions.find((m) => m.start >= from && m.start < to)?.start ?? -1 }))
      .filter((x) => x.at >= 0 && known.has(x.id))
      .sort((x, y) => x.at - y.at)
      .map((x) => x.id);
    return found;
  };

  const narrationShot = (run: Sentence[], p: { index: number }, beatId: string | undefined, isTurn: boolean, gi: number) => {
    const text = run.map((x) => x.text).join(ja ? '' : ' ');
    const who = mentionedIn(run[0].start, run[run.length - 1].end);
    const shot: ShotType = ACTION.test(text) ? 'action' : who.length === 0 ? (OBJECT.test(text) ? 'insert' : 'wide') : who.length >= 2 ? 'full' : 'medium';
    const reveal = isTurn && gi === 0;
    push(
      {
        importance: reveal ? 0.92 : shot === 'action' ? 0.6 : shot === 'wide' ? 0.55 : 0.45,
        shot: reveal && shot === 'insert' ? 'closeup' : shot,
        camera: shot === 'action' ? camera(`act:${p.index}:${gi}`, ['low', 'dutch', 'eye']) : reveal ? 'low' : camera(`n:${p.index}:${gi}`, ['eye', 'eye', 'high']),
        characters: who.slice(0, 3),
        beatId,
        reveal: reveal || undefined,
        description: clip(text, ja ? 120 : 240),
      },
      // Key narration gets a box: the turn, and the story's last paragraph.
      reveal || p.index === story.paragraphs.length - 1 ? [{ kind: 'narration', text: narrationText(run[0], ja), speakerId: null, quote: null }] : [],
    );
  };

  for (const p of story.paragraphs) {
    const beatId = beatAt(p.start);
    const sceneStart = p.index === 0 || story.paragraphs[p.index - 1].scene !== p.scene;
    const isTurn = turns.has(p.index);
    const quotes = story.quotes.filter((q) => q.paragraph === p.index && q.kind !== 'title');
    const sentences = story.sentences.filter((x) => x.paragraph === p.index);
    const present = mentionedIn(p.start, p.end);
    // Units in text order: quoted lines, and runs of sentences with no quote in them.
    type Unit = { type: 'quote'; q: (typeof quotes)[number] } | { type: 'narr'; run: Sentence[] };
    const units: Unit[] = [];
    for (const x of sentences) {
      const inside = quotes.filter((q) => q.start < x.end && q.end > x.start);
      if (inside.length) for (const q of inside) units.push({ type: 'quote', q });
      else {
        const last = units[units.length - 1];
        if (last?.type === 'narr') last.run.push(x);
        else units.push({ type: 'narr', run: [x] });
      }
    }
    const seenQuotes = new Set<number>();
    const unitsDeduped = units.filter((u) => u.type === 'narr' || (!seenQuotes.has(u.q.index) && seenQuotes.add(u.q.index)));
    const quoteCount = unitsDeduped.filter((u) => u.type === 'quote').length;

    if (sceneStart) {
      const firstUnit = unitsDeduped[0];
      const opener = firstUnit?.type === 'narr' ? firstUnit.run[0] : undefined;
      push(
        {
          importance: p.index === 0 ? 0.85 : 0.7,
          shot: 'establishing',
          camera: camera(`est:${p.index}`, ['high', 'eye', 'birds-eye']),
          characters: present.slice(0, 2),
          beatId,
          bleed: p.index === 0,
          description: clip(opener?.text ?? p.text, ja ? 120 : 240),
        },
        opener ? [{ kind: 'narration', text: narrationText(opener, ja), speakerId: null, quote: null }] : [],
      );
      if (firstUnit?.type === 'narr') {
        firstUnit.run.shift();
        if (!firstUnit.run.length) unitsDeduped.shift();
      }
    }

    let gi = 0;
    let qi = 0;
    for (const u of unitsDeduped) {
      if (u.type === 'narr') {
        // Long English runs make two shots; a Japanese line is one.
        const runs = !ja && u.run.length >= 3 ? [u.run.slice(0, Math.ceil(u.run.length / 2)), u.run.slice(Math.ceil(u.run.length / 2))] : [u.run];
        for (const r of runs) narrationShot(r, p, beatId, isTurn && quoteCount === 0, gi++);
        continue;
      }
      const q = u.q;
      const attribution = a.lines.find((l) => l.quote === q.index);
      const mappedSpeaker = attribution?.speakerId ? (idMap.get(attribution.speakerId) ?? null) : null;
      const speaker = inCast(mappedSpeaker) ? mappedSpeaker : null;
      if (q.kind === 'written') {
        push(
          { importance: 0.4, shot: 'insert', camera: 'eye', characters: [], beatId, description: clip(q.text, 120) },
          [{ kind: 'narration', text: clip(q.text, ja ? 40 : 110), speakerId: null, quote: q.index }],
        );
        continue;
      }
      const other = [...present, ...lastSpeakers].find((id) => id !== speaker && known.has(id));
      const emotional = EMOTION.test(q.text);
      const exchange = speaker !== null && lastSpeakers[0] !== undefined && lastSpeakers[0] !== speaker;
      const reveal = isTurn && qi === quoteCount - 1;
      qi++;
      // A long line needs room: frame the speaker alone so the balloon has somewhere to go
      // that is not someone's face.
      const long = q.text.length > (ja ? 24 : 48);
      // A close-up face fills the panel: only short lines fit beside it.
      const fitsCloseup = q.text.length <= (ja ? 16 : 40);
      const shot: ShotType = emotional && fitsCloseup ? (q.text.length <= 8 ? 'extreme-closeup' : 'closeup') : exchange && other && !long ? 'over-shoulder' : 'medium';
      const visible = speaker ? (shot === 'closeup' || shot === 'extreme-closeup' || long ? [speaker] : [speaker, ...(other ? [other] : [])]) : present.slice(0, 2);
      const pieces = splitLine(q.text, ja);
      push(
        {
          importance: reveal ? 0.9 : emotional ? 0.62 : 0.45,
          shot,
          camera: shot === 'over-shoulder' ? 'eye' : camera(`q:${q.index}`, ['eye', 'eye', 'low', 'high']),
          characters: visible,
          beatId,
          reveal: reveal || undefined,
          description: clip(`${speaker ? `${characters.cast.find((c) => c.id === speaker)?.name ?? ''}: ` : ''}${q.text}`, ja ? 120 : 240),
        },
        pieces.slice(0, 2).map((t) => ({ kind: speechKind(t), text: t, speakerId: speaker, quote: q.index })),
      );
      // More than two balloons crowd a panel: the rest of a long speech gets its own beat.
      for (let k = 2; k < pieces.length; k += 2) {
        push(
          {
            importance: 0.4,
            shot: 'medium',
            camera: camera(`q:${q.index}:${k}`, ['eye', 'high']),
            characters: speaker ? [speaker] : present.slice(0, 1),
            beatId,
            description: clip(`${speaker ? `${characters.cast.find((c) => c.id === speaker)?.name ?? ''}: ` : ''}${pieces.slice(k, k + 2).join(ja ? '' : ' ')}`, ja ? 120 : 240),
          },
          pieces.slice(k, k + 2).map((t) => ({ kind: speechKind(t), text: t, speakerId: speaker, quote: q.index })),
        );
      }
      if (speaker) lastSpeakers = [speaker, ...lastSpeakers.filter((x) => x !== speaker)].slice(0, 3);
    }
  }

  if (shots.length) {
    // End on a wide, slow shot.
    const last = shots[shots.length - 1];
    last.importance = Math.max(last.importance, 0.8);
    if (last.shot === 'medium' || last.shot === 'full' || last.shot === 'insert') last.shot = 'wide';
  }
  // The layout engine wants at least three panels for a page.
  while (shots.length > 0 && shots.length < 3) {
    const src = shots[shots.length - 1];
    push({ ...src, shot: src.shot === 'wide' ? 'insert' : 'wide', importance: 0.4, reveal: undefined, bleed: undefined }, []);
  }
  if (!shots.length) {
    for (let i = 0; i < 3; i++) push({ importance: 0.5, shot: i === 0 ? 'establishing' : 'medium', camera: 'eye', characters: [], description: '' }, []);
  }
  for (const s of shots) {
    if (s.reveal === undefined) delete s.reveal;
    if (s.bleed === undefined) delete s.bleed;
  }
  return { shots: condenseShots(shots, cues), cues };
}
