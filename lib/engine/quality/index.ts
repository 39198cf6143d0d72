/**
 * The quality checker: MANGA-CRAFT.md metrics M1–M18 for a page and a book, computed only from
 * the output geometry and the text as set — never from the generator's internal state (reading
 * order is re-estimated from the boxes; tiers are re-discovered from the cuts).
 */
import type { BookLayout, DialogueLine, PlacedBalloon } from '../types';
import { m1Overlap, m2Gutters, m3Frame, m4ReadingOrder, m6Importance, m7PanelCount } from './panels';
import { isLettered, m8Faces, m9BalloonOverlap, m10InsidePanel, m11BalloonOrder, m12Tails } from './balloons';
import { MIN_FONT_MM, columnsCompliant, kinsokuViolations, misorientedGlyphs, overflows, phraseBreaks } from './text';
import type { BookQualityReport, BookSummaryMetric, CheckPageInput, Metric, MetricId, PageQualityReport, PhraseBoundaries } from './types';

export type * from './types';
export { baselineFixedGrid } from './baseline';
export { formatComparison, failures } from './report';
export { estimateBalloonOrder } from './balloons';
export { VERTICAL_FORMS, HORIZONTAL_ONLY, LINE_START_FORBIDDEN, LINE_END_FORBIDDEN, columnCells, kinsokuViolations } from './text';

const r3 = (v: number): number => Math.round(v * 1000) / 1000;
const OVAL = new Set(['speech', 'thought', 'whisper', 'shout']);

function textMetrics(balloons: readonly PlacedBalloon[], seg?: PhraseBoundaries): Metric[] {
  const over = balloons.filter((b) => overflows(b, OVAL.has(b.kind)));
  const small = balloons.filter((b) => !(b.fontSizeMm >= MIN_FONT_MM - 1e-6));
  const cols = balloons.filter((b) => !columnsCompliant(b));
  const kin = balloons.flatMap((b) => kinsokuViolations(b.columns).map((v) => `${b.id}: ${v}`));
  const mis = balloons.reduce((s, b) => s + misorientedGlyphs(b), 0);
  const n = balloons.length;
  const out: Metric[] = [
    { id: 'M14.overflow', value: over.length, target: '0 balloons', pass: over.length === 0, ...(over.length ? { detail: over.map((b) => b.id).join(', ') } : {}) },
    { id: 'M14.font', value: n ? r3((n - small.length) / n) : null, target: '1 (all ≥ 16Q = 4 mm)', pass: small.length === 0 },
    { id: 'M14.columns', value: n ? r3((n - cols.length) / n) : null, target: '1 (≤ 10 chars a column, ≤ 6 columns)', pass: cols.length === 0, ...(cols.length ? { detail: cols.map((b) => b.id).join(', ') } : {}) },
    { id: 'M15', value: kin.length, target: '0', pass: kin.length === 0, ...(kin.length ? { detail: kin.join('; ') } : {}) },
  ];
  if (!seg) {
    out.push({ id: 'M16', value: null, target: '≥ 0.95', pass: true, detail: 'skipped: no phrase segmenter' });
  } else {
    let good = 0;
    let all = 0;
    // Phrase breaks are a rule of Japanese (vertical) setting; English wraps at spaces.
    for (const b of balloons.filter((x) => x.vertical)) {
      const [g, a] = phraseBreaks(b.columns, seg, b.text);
      good += g;
      all += a;
    }
    out.push({ id: 'M16', value: all ? r3(good / all) : null, target: '≥ 0.95', pass: all === 0 || good / all >= 0.95 });
  }
  out.push({ id: 'M17', value: mis, target: '0', pass: mis === 0 });
  return out;
}

const BALLOON_METRICS: ReadonlySet<MetricId> = new Set<MetricId>([
  'M8.speaker', 'M8.anyFace', 'M9', 'M10', 'M11', 'M12.angle', 'M12.crossings',
  'M14.overflow', 'M14.font', 'M14.columns', 'M15', 'M16', 'M17',
]);

export function checkPage(input: CheckPageInput): PageQualityReport {
  const { page, format, readingDirection } = input;
  const panelIds = new Set(page.panels.map((p) => p.id));
  const onPage = input.balloons.filter((b) => panelIds.has(b.panelId));
  const lettered = onPage.filter(isLettered);
  const { metric: m4, estimated } = m4ReadingOrder(page, readingDirection);
  const metrics: Metric[] = [
    m1Overlap(page),
    m2Gutters(page, format),
    m3Frame(page, format, lettered.map((b) => b.bboxMm)),
    m4,
    m6Importance(page, format),
    m7PanelCount(page, input.allowShortPage ?? false),
    ...m8Faces(page, lettered),
    m9BalloonOverlap(lettered),
    m10InsidePanel(page, lettered),
    m11BalloonOrder(lettered, readingDirection, input.lines),
    ...m12Tails(page, lettered),
    ...textMetrics(lettered, input.phraseBoundaries),
    { id: 'M18', value: lettered.length, target: '≈ 7, flag > 12', pass: lettered.length <= 12 },
  ];
  if (lettered.length === 0) {
    // Nothing lettered yet (a name before phase 6): balloon metrics do not apply, rather than
    // reading as a perfect score.
    for (const m of metrics) {
      if (BALLOON_METRICS.has(m.id)) {
        m.value = null;
        m.detail = 'no balloons on this page';
      }
    }
  }
  return { pageIndex: page.index, metrics, pass: metrics.every((m) => m.pass), estimatedPanelOrder: estimated };
}

export interface CheckBookInput {
  book: BookLayout;
  /** All balloons of the book; each is matched to its page through its panelId. */
  balloons?: readonly PlacedBalloon[];
  lines?: readonly DialogueLine[];
  phraseBoundaries?: PhraseBoundaries;
}

const mean = (xs: number[]): number | null => (xs.length ? r3(xs.reduce((s, v) => s + v, 0) / xs.length) : null);

export function checkBook(input: CheckBookInput): BookQualityReport {
  const { book } = input;
  const totalPanels = book.pages.reduce((s, p) => s + p.panels.length, 0);
  const pages = book.pages.map((page) =>
    checkPage({
      page,
      balloons: input.balloons ?? [],
      format: book.format,
      readingDirection: book.readingDirection,
      ...(input.lines ? { lines: input.lines } : {}),
      ...(input.phraseBoundaries ? { phraseBoundaries: input.phraseBoundaries } : {}),
      allowShortPage: totalPanels < 3,
    }),
  );
  const ids = pages[0]?.metrics.map((m) => m.id) ?? [];
  const summary: BookSummaryMetric[] = ids.map((id: MetricId) => {
    // Share of the pages the metric applies to (a page without balloons has no M9, …).
    const applies = pages.map((p) => p.metrics.find((m) => m.id === id)).filter((m): m is Metric => !!m && m.value !== null);
    const passing = applies.filter((m) => m.pass).length;
    const share = applies.length ? r3(passing / applies.length) : null;
    return { id, value: share, target: '1 (share of pages passing)', pass: passing === applies.length };
  });
  const values = (id: MetricId): number[] =>
    pages.flatMap((p) => {
      const v = p.metrics.find((m) => m.id === id)?.value;
      return typeof v === 'number' ? [v] : [];
    });
  const m7 = mean(values('M7'));
  const m18 = mean(values('M18'));
  const m6 = mean(values('M6'));
  summary.push(
    { id: 'M6.mean', value: m6, target: '≥ 0.7', pass: m6 === null || m6 >= 0.7 },
    { id: 'M7.mean', value: m7, target: '≈ 5 (4–6)', pass: m7 === null || totalPanels < 3 || (m7 >= 4 && m7 <= 6) },
    { id: 'M18.mean', value: m18, target: '≈ 7, ≤ 12', pass: m18 === null || m18 <= 12 },
  );
  return { pages, summary, pass: summary.every((s) => s.pass) };
}
