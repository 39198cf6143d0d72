/**
 * Phase 4: the name (storyboard). The provider plans shots (what each panel shows, how
 * important it is); the layout engine turns them into pages of panels with a correct reading
 * order, sizes that follow importance, bleed and face positions.
 */
import { layoutBook } from '../../lib/engine/layout';
import { balloonHints } from '../../lib/engine/book';
import { SHOT_TYPES, CAMERA_ANGLES, type ShotInput, type BookLayout, type DialogueLine, type Language } from '../../lib/engine/types';
import type { CharactersOutput, NameOutput, PlotOutput } from '../../schema/phases';
import type { PhaseAgent, PhaseAgentContext, PhaseAgentInput } from '../types';
import { callOf, revisingOf, storyOf, upstreamOf, validateOutput } from './common';
import { condenseShots } from '../providers/offline/shots';
import { readStory } from '../providers/offline/story';

/** Shots from any provider: unique ids, known shot types, characters that exist. */
export function sanitizeShots(shots: readonly ShotInput[], characters: CharactersOutput): ShotInput[] {
  const ids = new Set<string>();
  const known = new Set(characters.cast.map((c) => c.id));
  return shots.map((s, i) => {
    let id = typeof s.id === 'string' && /^[\w-]{1,60}$/.test(s.id) ? s.id : `s${String(i + 1).padStart(3, '0')}`;
    while (ids.has(id)) id = `${id}x`;
    ids.add(id);
    const out: ShotInput = {
      id,
      importance: Number.isFinite(s.importance) ? Math.min(1, Math.max(0, s.importance)) : 0.5,
      shot: SHOT_TYPES.includes(s.shot) ? s.shot : 'medium',
      camera: s.camera && CAMERA_ANGLES.includes(s.camera) ? s.camera : 'eye',
      characters: [...new Set((s.characters ?? []).filter((c) => known.has(c)))].slice(0, 6),
      description: (s.description ?? '').slice(0, 2000),
    };
    if (s.beatId) out.beatId = String(s.beatId).slice(0, 100);
    if (s.reveal) out.reveal = true;
    if (s.bleed) out.bleed = true;
    return out;
  });
}

export function nameFromLayout(layout: BookLayout): NameOutput {
  return {
    format: layout.format.name,
    readingDirection: layout.readingDirection,
    pages: layout.pages.map((p) => ({
      index: p.index,
      panels: p.panels.map((panel) => ({
        id: panel.id,
        order: panel.order,
        bboxMm: panel.bboxMm,
        bleed: panel.bleed,
        shot: panel.shot,
        camera: panel.camera,
        importance: panel.importance,
        characters: panel.characters,
        faces: panel.faces,
        beatId: panel.beatId ?? null,
        description: panel.description ?? '',
      })),
    })),
  };
}

/**
 * The lines the story gives each shot, before the dialogue phase writes them: the quoted speech
 * inside each beat's source span, spread in order over that beat's shots (those with someone in
 * them first). Only for sizing: the name's panels get room for these balloons, so the storyboard
 * people review is the one that gets lettered; the final phase re-checks with the real lines.
 */
export function expectedLines(sourceText: string, language: Language, plot: PlotOutput, shots: readonly ShotInput[]): DialogueLine[] {
  const story = readStory(sourceText, language);
  const lines: DialogueLine[] = [];
  const perShot = new Map<string, number>();
  for (const beat of plot.beats) {
    if (!beat.sourceSpan) continue;
    const [from, to] = beat.sourceSpan;
    const quotes = story.quotes.filter((q) => q.kind === 'speech' && q.start >= from && q.start < to);
    const beatShots = shots.filter((s) => s.beatId === beat.id);
    const speaking = beatShots.filter((s) => (s.characters?.length ?? 0) > 0);
    const targets = speaking.length ? speaking : beatShots;
    if (!targets.length) continue;
    quotes.forEach((quote, i) => {
      // A shot whose description quotes the line gets it (planners often write who says what).
      const opening = quote.text.slice(0, 12);
      const shot = beatShots.find((s) => opening.length >= 2 && s.description?.includes(opening)) ?? targets[Math.floor((i * targets.length) / quotes.length)];
      const order = perShot.get(shot.id) ?? 0;
      perShot.set(shot.id, order + 1);
      lines.push({ id: `expected-${lines.length}`, panelId: shot.id, speakerId: shot.characters?.[0] ?? null, kind: 'speech', text: quote.text, order });
    });
  }
  return lines;
}

/** A re-run (feedback or a revised branch) asks the layout for one of its alternatives. */
export function alternativeFor(input: PhaseAgentInput): number {
  if (!input.feedback && input.revising === undefined) return 0;
  let h = 0;
  for (const c of input.feedback ?? 'revise') h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 1 + (h % 3);
}

/** `sizeForLines: false` lays the shots out as if they had no words (the bench's baseline). */
export async function planName(input: PhaseAgentInput, ctx: PhaseAgentContext, options: { sizeForLines?: boolean } = {}): Promise<{ output: NameOutput; model: string }> {
  const story = storyOf(input);
  const call = callOf('name', ctx);
  ctx.onProgress(0.05, 'Reading the cast and the plot');
  const characters = upstreamOf(input, 'characters') ?? (await ctx.provider.characters({ story }, call)).value;
  const plot = upstreamOf(input, 'plot') ?? (await ctx.provider.plot({ story, characters }, call)).value;
  ctx.onProgress(0.2, 'Planning the shots');
  const draft = await ctx.provider.shots({ story, characters, plot, feedback: input.feedback, revising: revisingOf(input, 'name') }, call);
  // Any provider: never more shots than 200 pages hold.
  const shots = condenseShots(sanitizeShots(draft.value, characters), null);
  if (!shots.length) throw new Error('The shot plan is empty: nothing to lay out.');
  ctx.onProgress(0.6, `Laying out ${shots.length} panels`);
  const hints = options.sizeForLines === false ? undefined : balloonHints(shots, expectedLines(story.text, story.language, plot, shots), story.language);
  const layout = layoutBook(shots, { format: input.pageFormat, readingDirection: input.readingDirection, seed: story.seed, alternative: alternativeFor(input) }, hints);
  return { output: nameFromLayout(layout), model: draft.model };
}

export const nameAgent: PhaseAgent<'name'> = async (input, ctx) => {
  const { output, model } = await planName(input, ctx);
  ctx.onProgress(0.95, 'Checking the pages');
  return { output: validateOutput('name', output), model, costJpy: 0 };
};
