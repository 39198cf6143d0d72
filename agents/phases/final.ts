/**
 * Phase 7: the final pages. Compose the name, the scene images and the lettered dialogue, run
 * the quality report (MANGA-CRAFT.md metrics), fix what can be fixed mechanically, render each
 * page, and hand over the report with what was fixed.
 *
 * Fixes, cheapest first:
 *  - a page outside 3–7 panels → re-paginate the same shots with the layout engine, each
 *    panel sized for its balloons;
 *  - a page whose lines do not fit → lay it out again, each panel sized for its balloons (the
 *    name was drawn before the dialogue existed); kept only if the lettering gets better;
 *  - a line that could not be lettered well (overflow, no position, over a face) → re-balloon
 *    that page with relaxed lines: shouts set as speech, long lines split in two, and as a last
 *    resort the line moved to the emptiest neighbouring panel. A change is kept only if the
 *    page gets better.
 */
import { layoutBook, layoutPage, type LayoutHints } from '../../lib/engine/layout';
import { balloonHints } from '../../lib/engine/book';
import { placeBalloons } from '../../lib/engine/balloons';
import { phraseBoundaries } from '../../lib/engine/lettering';
import { checkBook, checkPage, type BookQualityReport } from '../../lib/engine/quality';
import { renderPage } from '../../lib/engine/render';
import type { BookLayout, DialogueLine, LaidPage, LaidPanel, LetteringIssue, PlacedBalloon, ShotInput } from '../../lib/engine/types';
import type { DialogueOutput, NameOutput, ScenesOutput } from '../../schema/phases';
import type { AgentAsset, PhaseAgent, PhaseAgentContext } from '../types';
import { checkCancelled, makeAsset, storyOf, upstreamOf, validateOutput } from './common';
import { nameFromLayout, planName } from './name';
import { dialogueAgent } from './dialogue';
import { bookLayout } from './pages';

const MIN_PANELS = 3;
const MAX_PANELS = 7;

interface Fix {
  kind: 'repaginate' | 'relayout' | 'rebubble';
  page: number | null;
  detail: string;
}

/** A page's panels as the shots they were laid out from, in reading order. */
function shotsOf(page: LaidPage): ShotInput[] {
  return [...page.panels]
    .sort((a, b) => a.order - b.order)
    .map((panel) => {
      const s: ShotInput = { id: panel.shotId, importance: panel.importance, shot: panel.shot, camera: panel.camera, characters: panel.characters, description: panel.description ?? '' };
      if (panel.beatId) s.beatId = panel.beatId;
      if (panel.bleed) s.bleed = true;
      return s;
    });
}

/** Balloon hints for laying out `panels` again as shots: the lines name panels, hints name shots. */
function hintsFor(panels: readonly LaidPanel[], lines: readonly DialogueLine[], language: 'ja' | 'en'): LayoutHints {
  const shotOfPanel = new Map(panels.map((p) => [p.id, p.shotId] as const));
  return balloonHints(panels.map((p) => ({ id: p.shotId })), lines.map((l) => ({ ...l, panelId: shotOfPanel.get(l.panelId) ?? l.panelId })), language);
}

/**
 * Lay a page out again with each panel sized for its balloons: the name was drawn before the
 * dialogue existed, so a talky panel can be too small for its lines. The same shots make the
 * same panels (ids come from shots), so lines and pictures still match. Null unless the page's
 * lettering gets better without failing more balloon metrics.
 */
export function relayoutPage(page: LaidPage, current: PageLettering, opts: { language: 'ja' | 'en'; layout: BookLayout; seed: number }): { page: LaidPage; result: PageLettering } | null {
  if (current.issues.length === 0 || page.panels.length === 0) return null;
  const shots = shotsOf(page);
  // A name edited by hand can hold panels that share a shot, or ids not made from their shot:
  // then the new panels would not match the old ones, and this fix does not apply.
  if (new Set(shots.map((x) => x.id)).size !== shots.length) return null;
  const hints = hintsFor(page.panels, current.lines, opts.language);
  let next: LaidPage;
  try {
    next = layoutPage(shots, { format: opts.layout.format.name, readingDirection: opts.layout.readingDirection, seed: opts.seed, pageIndex: page.index }, hints);
  } catch {
    return null;
  }
  const ids = new Set(next.panels.map((p) => p.id));
  if (page.panels.some((p) => !ids.has(p.id))) return null;
  const r = placeBalloons(next, current.lines, { language: opts.language, readingDirection: opts.layout.readingDirection, format: opts.layout.format });
  const result: PageLettering = { lines: current.lines, balloons: r.balloons, issues: r.issues };
  if (pageScore(result.issues) >= pageScore(current.issues)) return null;
  if (failingBalloonMetrics(next, result, opts.layout) > failingBalloonMetrics(page, current, opts.layout)) return null;
  return { page: next, result };
}

/** Re-paginate the name's panels (as shots, in reading order) when a page breaks 3–7. */
export function repaginate(
  layout: BookLayout,
  seed: number,
  dialogue?: { lines: readonly DialogueLine[]; language: 'ja' | 'en' },
): { layout: BookLayout; panelMap: Map<string, string> } | null {
  const total = layout.pages.reduce((n, p) => n + p.panels.length, 0);
  const broken = layout.pages.some((p) => p.panels.length < MIN_PANELS || p.panels.length > MAX_PANELS);
  if (!broken || total < MIN_PANELS) return null;
  const shots: ShotInput[] = layout.pages.flatMap(shotsOf);
  // The dialogue is known by now: size each panel for its balloons.
  const hints = dialogue ? hintsFor(layout.pages.flatMap((p) => p.panels), dialogue.lines, dialogue.language) : undefined;
  const next = layoutBook(shots, { format: layout.format.name, readingDirection: layout.readingDirection, seed }, hints);
  const panelMap = new Map<string, string>();
  const byShot = new Map(next.pages.flatMap((p) => p.panels.map((panel) => [panel.shotId, panel.id] as const)));
  for (const p of layout.pages) for (const panel of p.panels) panelMap.set(panel.id, byShot.get(panel.shotId) ?? panel.id);
  return { layout: next, panelMap };
}

function splitText(text: string, ja: boolean): [string, string] | null {
  const marks = ja ? /[。！？、]/g : /[.!?,;]\s/g;
  const mid = text.length / 2;
  let best = -1;
  for (const m of text.matchAll(marks)) if (m.index !== undefined && m.index > 2 && m.index < text.length - 3 && (best < 0 || Math.abs(m.index - mid) < Math.abs(best - mid))) best = m.index;
  if (best < 0) {
    if (text.length < (ja ? 16 : 40)) return null;
    best = ja ? Math.floor(mid) : text.lastIndexOf(' ', Math.floor(mid));
    if (best <= 0) return null;
  }
  return [text.slice(0, best + 1).trim(), text.slice(best + 1).trim()];
}

function pageScore(issues: LetteringIssue[]): number {
  return issues.reduce((s, i) => s + (i.code === 'face-overlap' ? 2 : i.code === 'no-position' ? 3 : 1), 0);
}

interface PageLettering {
  lines: DialogueLine[];
  balloons: PlacedBalloon[];
  issues: LetteringIssue[];
}

const BALLOON_METRICS = /^(?:M8|M9|M10|M11|M12|M14)/;

/** Failing balloon metrics of a page (M8 faces, M9 overlap, M10 inside, M12 tails, M14 text), with the lines involved. */
function failingBalloonMetrics(page: LaidPage, l: PageLettering, layout: BookLayout): number {
  if (!l.balloons.length) return 0;
  const r = checkPage({ page, balloons: l.balloons, lines: l.lines, format: layout.format, readingDirection: layout.readingDirection, phraseBoundaries });
  return r.metrics.filter((m) => BALLOON_METRICS.test(m.id) && !m.pass).length;
}

/** Re-balloon one page with progressively relaxed lines; keep the best. */
export function rebubblePage(page: LaidPage, current: PageLettering, opts: { language: 'ja' | 'en'; layout: BookLayout }): { result: PageLettering; detail: string } | null {
  const score = (l: PageLettering) => pageScore(l.issues) + 2 * failingBalloonMetrics(page, l, opts.layout);
  const currentScore = score(current);
  if (currentScore === 0) return null;
  const ja = opts.language === 'ja';
  const place = (lines: DialogueLine[]): PageLettering => {
    const r = placeBalloons(page, lines, { language: opts.language, readingDirection: opts.layout.readingDirection, format: opts.layout.format });
    return { lines, balloons: r.balloons, issues: r.issues };
  };
  // The lines to relax: those with an issue, else (a metric failed) the longest ones.
  const flagged = current.issues.map((i) => i.lineId);
  const longest = [...current.lines].sort((a, b) => b.text.length - a.text.length).slice(0, 2).map((l) => l.id);
  const bad = new Set(flagged.length ? flagged : longest);
  const renumber = (lines: DialogueLine[]) => {
    const per = new Map<string, number>();
    const order = new Map(page.panels.map((p, i) => [p.id, i]));
    return [...lines]
      .sort((a, b) => (order.get(a.panelId) ?? 0) - (order.get(b.panelId) ?? 0))
      .map((l) => {
        const o = per.get(l.panelId) ?? 0;
        per.set(l.panelId, o + 1);
        return { ...l, order: o };
      });
  };
  // Step 1: shouts as speech (smaller type), step 2: split long lines, step 3: move to a neighbour.
  const step1 = current.lines.map((l) => (bad.has(l.id) && l.kind === 'shout' ? { ...l, kind: 'speech' as const } : l));
  const step2 = renumber(
    step1.flatMap((l) => {
      if (!bad.has(l.id)) return [l];
      const parts = splitText(l.text, ja);
      return parts ? [{ ...l, text: parts[0] }, { ...l, id: `${l.id}b`, text: parts[1], order: l.order + 0.5 }] : [l];
    }),
  );
  const counts = new Map<string, number>();
  for (const l of step2) counts.set(l.panelId, (counts.get(l.panelId) ?? 0) + 1);
  const step3 = renumber(
    step2.map((l) => {
      if (!bad.has(l.id.replace(/b$/, ''))) return l;
      const i = page.panels.findIndex((p) => p.id === l.panelId);
      const neighbours = [page.panels[i + 1], page.panels[i - 1]].filter((p): p is LaidPage['panels'][number] => p !== undefined);
      const target = neighbours.sort((a, b) => (counts.get(a.id) ?? 0) - (counts.get(b.id) ?? 0))[0];
      return target && (counts.get(target.id) ?? 0) < (counts.get(l.panelId) ?? 0) ? { ...l, panelId: target.id } : l;
    }),
  );
  let best = current;
  let bestScore = currentScore;
  let detail = '';
  for (const [lines, what] of [
    [step1, 'shouts set as speech'],
    [step2, 'long lines split'],
    [step3, 'lines moved to a neighbouring panel'],
  ] as const) {
    const r = place(lines);
    const sc = score(r);
    if (sc < bestScore) {
      best = r;
      bestScore = sc;
      detail = what;
    }
    if (bestScore === 0) break;
  }
  return best === current ? null : { result: best, detail: `${detail} (score ${currentScore} → ${bestScore})` };
}

async function sceneImages(scenes: ScenesOutput | undefined, ctx: PhaseAgentContext): Promise<Map<string, Uint8Array>> {
  const images = new Map<string, Uint8Array>();
  if (!scenes || !ctx.loadAsset) return images;
  for (const s of scenes.panels) {
    if (!s.assetId) continue;
    const a = await ctx.loadAsset(s.assetId);
    if (a) images.set(s.panelId, a.bytes);
  }
  return images;
}

export const finalAgent: PhaseAgent<'final'> = async (input, ctx) => {
  const story = storyOf(input);
  const name: NameOutput | undefined = upstreamOf(input, 'name');
  let dialogue: DialogueOutput | undefined = upstreamOf(input, 'dialogue');
  const scenes = upstreamOf(input, 'scenes');
  let model = 'koma-engine';
  if (!dialogue) {
    // Lettering skipped: letter the quoted lines now so the pages are readable.
    const r = await dialogueAgent({ ...input, phase: 'dialogue' }, { ...ctx, onProgress: (f, m) => ctx.onProgress(f * 0.2, m) });
    dialogue = r.output;
    model = r.model;
  }
  const theName = name ?? (await planName(input, ctx)).output;
  if (!theName.pages.length) throw new Error('The name has no pages: run phase 4 first.');

  ctx.onProgress(0.2, 'Checking the pages');
  let layout = bookLayout(theName, { format: input.pageFormat, readingDirection: input.readingDirection });
  let lines = dialogue.lines.map((l) => ({ ...l }));
  let balloons = dialogue.balloons.map((b) => ({ ...b }));
  let issues = dialogue.issues.map((i) => ({ ...i }));
  const images = await sceneImages(scenes, ctx);
  const before = checkBook({ book: layout, balloons, lines, phraseBoundaries });
  const fixes: Fix[] = [];

  // Fix 1: pagination.
  const re = repaginate(layout, story.seed, { lines, language: input.language });
  if (re) {
    const brokenPages = layout.pages.filter((p) => p.panels.length < MIN_PANELS || p.panels.length > MAX_PANELS).map((p) => p.index);
    layout = re.layout;
    lines = lines.map((l) => ({ ...l, panelId: re.panelMap.get(l.panelId) ?? l.panelId }));
    for (const [from, to] of re.panelMap) {
      const img = images.get(from);
      if (img && from !== to) images.set(to, img);
    }
    balloons = [];
    issues = [];
    for (const page of layout.pages) {
      const ids = new Set(page.panels.map((p) => p.id));
      const r = placeBalloons(page, lines.filter((l) => ids.has(l.panelId)), { language: input.language, readingDirection: layout.readingDirection, format: layout.format });
      balloons.push(...r.balloons);
      issues.push(...r.issues);
    }
    fixes.push({ kind: 'repaginate', page: null, detail: `pages ${brokenPages.join(', ')} were outside 3–7 panels; re-paginated into ${layout.pages.length} pages` });
  }

  // Fix 2: lay out again, each panel sized for its lines, the pages whose lines do not fit
  // (before any line is rewritten: the words stay as the dialogue phase wrote them).
  checkCancelled(ctx);
  ctx.onProgress(0.3, 'Re-composing pages whose dialogue does not fit');
  layout = {
    ...layout,
    pages: layout.pages.map((page) => {
      const ids = new Set(page.panels.map((p) => p.id));
      const current: PageLettering = {
        lines: lines.filter((l) => ids.has(l.panelId)),
        balloons: balloons.filter((b) => ids.has(b.panelId)),
        issues: issues.filter((i) => ids.has(i.panelId)),
      };
      const fixed = relayoutPage(page, current, { language: input.language, layout, seed: story.seed });
      if (!fixed) return page;
      balloons = [...balloons.filter((b) => !ids.has(b.panelId)), ...fixed.result.balloons];
      issues = [...issues.filter((i) => !ids.has(i.panelId)), ...fixed.result.issues];
      fixes.push({ kind: 'relayout', page: page.index, detail: `panels sized for their balloons: ${current.issues.length} → ${fixed.result.issues.length} lettering issues` });
      return fixed.page;
    }),
  };

  // Fix 3: re-balloon pages with lettering problems.
  checkCancelled(ctx);
  ctx.onProgress(0.35, 'Re-lettering what did not fit');
  for (const page of layout.pages) {
    const ids = new Set(page.panels.map((p) => p.id));
    const current: PageLettering = {
      lines: lines.filter((l) => ids.has(l.panelId)),
      balloons: balloons.filter((b) => ids.has(b.panelId)),
      issues: issues.filter((i) => ids.has(i.panelId)),
    };
    const fixed = rebubblePage(page, current, { language: input.language, layout });
    if (!fixed) continue;
    lines = [...lines.filter((l) => !ids.has(l.panelId)), ...fixed.result.lines];
    balloons = [...balloons.filter((b) => !ids.has(b.panelId)), ...fixed.result.balloons];
    issues = [...issues.filter((i) => !ids.has(i.panelId)), ...fixed.result.issues];
    fixes.push({ kind: 'rebubble', page: page.index, detail: `${fixed.detail}: ${current.issues.length} → ${fixed.result.issues.length} lettering issues` });
  }
  const after: BookQualityReport = checkBook({ book: layout, balloons, lines, phraseBoundaries });

  // Render every page (screen quality: exports re-render at print size from the same data).
  const assets: AgentAsset[] = [];
  const pages = [];
  const characters = (upstreamOf(input, 'characters')?.cast ?? []).map((c) => ({ id: c.id, name: c.name, color: c.color }));
  for (const [i, page] of layout.pages.entries()) {
    checkCancelled(ctx);
    ctx.onProgress(0.45 + (0.5 * i) / layout.pages.length, `Rendering page ${i + 1} of ${layout.pages.length}`);
    const ids = new Set(page.panels.map((p) => p.id));
    const pageImages = new Map([...images].filter(([id]) => ids.has(id)));
    // renderPage fits scene images to the level first: no 2k art decoded for a screen page.
    const raster = await renderPage(
      { page, balloons: balloons.filter((b) => ids.has(b.panelId)), images: pageImages },
      { format: layout.format, readingDirection: layout.readingDirection, language: input.language, characters },
      'medium',
    );
    const asset = makeAsset(ctx, raster);
    if (!assets.some((a) => a.id === asset.id)) assets.push(asset);
    pages.push({ index: page.index, assetId: asset.id, width: raster.width, height: raster.height });
  }

  const report = {
    pass: after.pass,
    quality: after,
    before: { pass: before.pass, summary: before.summary },
    fixes,
    letteringIssues: issues,
    pages: layout.pages.length,
    panels: layout.pages.reduce((n, p) => n + p.panels.length, 0),
    balloons: balloons.length,
    sceneImages: images.size,
    // The lines as lettered on these pages (split or moved by the fixes), for the record.
    ...(fixes.length ? { lines } : {}),
  };
  // `book` is what the pages were rendered from (after re-pagination and re-lettering): exports
  // print it, so the exported book is the one this report checked.
  const book = { name: nameFromLayout(layout), balloons };
  return { output: validateOutput('final', { pages, book, report: JSON.parse(JSON.stringify(report)) as Record<string, unknown> }), model, costJpy: 0, assets };
};
