/** The quality report's shape (MANGA-CRAFT.md, "Objective quality metrics"). */
import type { DialogueLine, LaidPage, PageFormat, PlacedBalloon, ReadingDirection } from '../types';

export type MetricId =
  | 'M1' | 'M2' | 'M3' | 'M4' | 'M6' | 'M7'
  | 'M8.speaker' | 'M8.anyFace' | 'M9' | 'M10' | 'M11' | 'M12.angle' | 'M12.crossings'
  | 'M14.overflow' | 'M14.font' | 'M14.columns' | 'M15' | 'M16' | 'M17' | 'M18';

export interface Metric {
  id: MetricId;
  /** null when the metric does not apply (e.g. ρ of a page whose shots all weigh the same). */
  value: number | null;
  /** The target, human-readable (e.g. "0", "≥ 0.7"). */
  target: string;
  pass: boolean;
  /** Why it failed, or what was skipped. */
  detail?: string;
}

/**
 * Phrase segmentation to check column breaks against (M16): returns the offsets (UTF-16 code
 * units into `text`) where a new phrase may start. Plug in BudouX from the lettering engine.
 */
export type PhraseBoundaries = (text: string) => number[];

export interface CheckPageInput {
  page: LaidPage;
  balloons: readonly PlacedBalloon[];
  format: PageFormat;
  readingDirection: ReadingDirection;
  /** Script lines, to take the script order of balloons from (else each balloon's `order`). */
  lines?: readonly DialogueLine[];
  phraseBoundaries?: PhraseBoundaries;
  /** The book has fewer than 3 shots in all, so a short page is not an M7 failure. */
  allowShortPage?: boolean;
}

export interface PageQualityReport {
  pageIndex: number;
  metrics: Metric[];
  pass: boolean;
  /** The checker's own reading-order estimate (panel ids), for display next to the intended one. */
  estimatedPanelOrder: string[];
}

export interface BookSummaryMetric {
  id: MetricId | 'M6.mean' | 'M7.mean' | 'M18.mean';
  /** Share of pages passing (0..1), or the mean for *.mean entries. */
  value: number | null;
  target: string;
  pass: boolean;
}

export interface BookQualityReport {
  pages: PageQualityReport[];
  summary: BookSummaryMetric[];
  pass: boolean;
}
