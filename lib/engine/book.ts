/**
 * composeBook: shots + dialogue → a ComposedBook ready to render and export, in one call.
 *
 *   layoutBook (pages of panels, faces)  →  placeBalloons per page (lettering inside)
 *   →  scene images attached by panel or shot id  →  quality report (checkBook)
 *
 * Script lines may name their panel by the shot id (the script is written before the layout
 * exists); they are re-pointed at the panel laid out for that shot.
 */
import type {
  BookCharacter, BookLayout, ComposedBook, ComposedPage, DialogueLine, Language, LetteringIssue, PageFormatName,
  PlacedBalloon, ReadingDirection, ShotInput,
} from './types';
import { pageFormat } from './formats';
import { layoutBook, minPanelForBalloons, type LayoutHints } from './layout';
import { balloonSize, placeBalloons } from './balloons';
import { phraseBoundaries, setText } from './lettering';
import { checkBook, type BookQualityReport } from './quality';

export interface ComposeBookInput {
  title: string;
  language: Language;
  format?: PageFormatName;
  /** Defaults to the format's direction (rtl for the Japanese formats, ltr for US). */
  readingDirection?: ReadingDirection;
  characters: BookCharacter[];
  shots: readonly ShotInput[];
  lines?: readonly DialogueLine[];
  /** Scene images keyed by panel id or shot id. */
  images?: ReadonlyMap<string, Uint8Array>;
  seed?: number;
  alternative?: number;
  /** Run the quality checker (default true); the benchmark times layout without it. */
  check?: boolean;
}

export interface ComposeBookResult {
  book: ComposedBook;
  layout: BookLayout;
  balloons: PlacedBalloon[];
  /** The lines with `panelId` pointing at laid-out panels. */
  lines: DialogueLine[];
  issues: LetteringIssue[];
  report: BookQualityReport | null;
}

/**
 * What the lettering needs from each shot's panel, for the layout: every line naming a shot is
 * set at its preferred shape and wrapped in its balloon; `minPanelForBalloons` turns a shot's
 * balloons into the smallest panel that holds them. A name artist sizes panels around their
 * dialogue; without this a talky, unimportant shot gets a panel its balloons cannot fit
 * beside the speaker (MANGA-CRAFT.md M8, M11).
 */
export function balloonHints(shots: ReadonlyArray<Pick<ShotInput, 'id'>>, lines: readonly DialogueLine[], language: Language): LayoutHints {
  const shotIds = new Set(shots.map((s) => s.id));
  const sizes = new Map<string, Array<{ w: number; h: number }>>();
  for (const line of lines) {
    if (!shotIds.has(line.panelId) || line.kind === 'sfx') continue;
    const block = setText(line.text, { language, kind: line.kind });
    const size = balloonSize(line.kind, block.widthMm, block.heightMm);
    sizes.set(line.panelId, [...(sizes.get(line.panelId) ?? []), size]);
  }
  const minPanelMm: Record<string, { w: number; h: number }> = {};
  for (const [shotId, list] of sizes) {
    const min = minPanelForBalloons(list);
    if (min) minPanelMm[shotId] = min;
  }
  return { minPanelMm };
}

export function composeBook(input: ComposeBookInput): ComposeBookResult {
  const format = pageFormat(input.format ?? 'B5');
  const readingDirection = input.readingDirection ?? format.defaultDirection;
  const layout = layoutBook(
    input.shots,
    { format: format.name, readingDirection, seed: input.seed ?? 0, alternative: input.alternative ?? 0 },
    balloonHints(input.shots, input.lines ?? [], input.language),
  );

  const panelOfShot = new Map<string, string>();
  const panelIds = new Set<string>();
  for (const p of layout.pages) for (const panel of p.panels) {
    panelOfShot.set(panel.shotId, panel.id);
    panelIds.add(panel.id);
  }
  const lines: DialogueLine[] = (input.lines ?? []).flatMap((l) => {
    const panelId = panelIds.has(l.panelId) ? l.panelId : panelOfShot.get(l.panelId);
    return panelId ? [{ ...l, panelId }] : [];
  });
  const linesByPanel = new Map<string, DialogueLine[]>();
  for (const l of lines) linesByPanel.set(l.panelId, [...(linesByPanel.get(l.panelId) ?? []), l]);

  const balloons: PlacedBalloon[] = [];
  const issues: LetteringIssue[] = [];
  const pages: ComposedPage[] = layout.pages.map((page) => {
    const pageLines = page.panels.flatMap((p) => linesByPanel.get(p.id) ?? []);
    const placed = placeBalloons(page, pageLines, { language: input.language, readingDirection, format });
    balloons.push(...placed.balloons);
    issues.push(...placed.issues);
    const images = new Map<string, Uint8Array>();
    for (const p of page.panels) {
      const img = input.images?.get(p.id) ?? input.images?.get(p.shotId);
      if (img) images.set(p.id, img);
    }
    return { page, balloons: placed.balloons, images };
  });

  const book: ComposedBook = { title: input.title, language: input.language, format, readingDirection, characters: input.characters, pages };
  const report = input.check === false ? null : checkBook({ book: layout, balloons, lines, phraseBoundaries });
  return { book, layout, balloons, lines, issues, report };
}
