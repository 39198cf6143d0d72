/**
 * Phase 6: dialogue lettering. The provider decides which line goes in which panel, who says it
 * and how (speech, shout, narration…); the balloon engine places and letters each balloon
 * (reading order, never over the speaker's face, tails to the mouth, vertical Japanese).
 */
import { placeBalloons } from '../../lib/engine/balloons';
import { BALLOON_KINDS, type DialogueLine, type LetteringIssue, type PlacedBalloon } from '../../lib/engine/types';
import type { CharactersOutput, NameOutput } from '../../schema/phases';
import type { PhaseAgent } from '../types';
import { callOf, storyOf, upstreamOf, validateOutput } from './common';
import { planName } from './name';
import { bookLayout } from './pages';

/** The schema's limit on lines (and balloons) in one dialogue output. */
const MAX_LINES = 5_000;

/** Lines from any provider: known panels and speakers, non-empty text, script order per panel. */
export function sanitizeLines(lines: readonly DialogueLine[], name: NameOutput, characters: CharactersOutput): DialogueLine[] {
  const panelOrder = new Map<string, number>();
  let k = 0;
  for (const p of name.pages) for (const panel of [...p.panels].sort((a, b) => a.order - b.order)) panelOrder.set(panel.id, k++);
  const speakers = new Set(characters.cast.map((c) => c.id));
  const kept = lines
    .slice(0, MAX_LINES)
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => panelOrder.has(l.panelId) && typeof l.text === 'string' && l.text.trim().length > 0)
    .sort((a, b) => (panelOrder.get(a.l.panelId) ?? 0) - (panelOrder.get(b.l.panelId) ?? 0) || (a.l.order ?? 0) - (b.l.order ?? 0) || a.i - b.i);
  const perPanel = new Map<string, number>();
  const ids = new Set<string>();
  return kept.map(({ l }, i) => {
    const order = perPanel.get(l.panelId) ?? 0;
    perPanel.set(l.panelId, order + 1);
    let id = typeof l.id === 'string' && /^[\w-]{1,60}$/.test(l.id) ? l.id : `l${String(i + 1).padStart(3, '0')}`;
    while (ids.has(id)) id = `${id}x`;
    ids.add(id);
    const kind = BALLOON_KINDS.includes(l.kind) ? l.kind : 'speech';
    return {
      id,
      panelId: l.panelId,
      speakerId: kind === 'narration' ? null : l.speakerId && speakers.has(l.speakerId) ? l.speakerId : null,
      kind,
      text: l.text.trim().slice(0, 1000),
      order,
    };
  });
}

export function letterName(name: NameOutput, lines: DialogueLine[], opts: { language: 'ja' | 'en'; readingDirection: 'rtl' | 'ltr'; pageFormat: NameOutput['format'] }): { balloons: PlacedBalloon[]; issues: LetteringIssue[] } {
  const layout = bookLayout(name, { format: opts.pageFormat, readingDirection: opts.readingDirection });
  const balloons: PlacedBalloon[] = [];
  const issues: LetteringIssue[] = [];
  for (const page of layout.pages) {
    const ids = new Set(page.panels.map((p) => p.id));
    const pageLines = lines.filter((l) => ids.has(l.panelId));
    if (!pageLines.length) continue;
    const placed = placeBalloons(page, pageLines, { language: opts.language, readingDirection: layout.readingDirection, format: layout.format });
    balloons.push(...placed.balloons);
    issues.push(...placed.issues);
  }
  return { balloons, issues };
}

export const dialogueAgent: PhaseAgent<'dialogue'> = async (input, ctx) => {
  const story = storyOf(input);
  const call = callOf('dialogue', ctx);
  const characters = upstreamOf(input, 'characters') ?? (await ctx.provider.characters({ story }, call)).value;
  const plot = upstreamOf(input, 'plot');
  const name = upstreamOf(input, 'name') ?? (await planName(input, ctx)).output;
  ctx.onProgress(0.1, 'Writing the script');
  const draft = await ctx.provider.dialogue({ story, characters, plot, name, feedback: input.feedback, revising: input.revising }, call);
  const lines = sanitizeLines(draft.value, name, characters);
  ctx.onProgress(0.5, `Lettering ${lines.length} lines`);
  const { balloons, issues } = letterName(name, lines, { language: input.language, readingDirection: name.readingDirection, pageFormat: name.format });
  ctx.onProgress(0.95, 'Checking the balloons');
  return { output: validateOutput('dialogue', { lines, balloons, issues }), model: draft.model, costJpy: 0 };
};
