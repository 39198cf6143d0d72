/**
 * layout.json: the machine-readable book (documented field by field in docs/LAYOUT-FORMAT.md).
 * Lengths are mm from the top-left of the trim box; bleed is at negative coordinates. The zod
 * schema is the contract: `toLayoutJson` output is parsed through it before it is returned.
 */
import { z } from 'zod';
import type { ComposedBook } from '../types';
import { BALLOON_KINDS, PAGE_FORMAT_NAMES, SHOT_TYPES } from '../types';

export const LAYOUT_JSON_VERSION = 1;

const mm = z.number().finite();
const size = z.number().finite().nonnegative();
export const BBoxMmSchema = z.tuple([mm, mm, size, size]);
export const PointMmSchema = z.tuple([mm, mm]);

/** Any JSON value: the quality report is produced by the quality checker and passed through. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };
const JsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(JsonValueSchema), z.record(z.string(), JsonValueSchema)]),
);

export const LayoutFaceSchema = z.object({
  characterId: z.string(),
  bboxMm: BBoxMmSchema,
  bodyMm: BBoxMmSchema,
});

export const LayoutPanelSchema = z.object({
  id: z.string(),
  order: z.number().int().nonnegative(),
  bboxMm: BBoxMmSchema,
  bleed: z.boolean(),
  shot: z.enum(SHOT_TYPES as [string, ...string[]]),
  characters: z.array(z.string()),
  faces: z.array(LayoutFaceSchema),
});

export const LayoutBalloonSchema = z.object({
  id: z.string(),
  panelId: z.string(),
  order: z.number().int().nonnegative(),
  kind: z.enum(BALLOON_KINDS as [string, ...string[]]),
  speakerId: z.string().nullable(),
  text: z.string(),
  bboxMm: BBoxMmSchema,
  tailTipMm: PointMmSchema.nullable(),
  columns: z.array(z.string()),
  vertical: z.boolean(),
  fontSizeMm: z.number().positive(),
});

export const LayoutPageSchema = z.object({
  index: z.number().int().nonnegative(),
  panels: z.array(LayoutPanelSchema),
  balloons: z.array(LayoutBalloonSchema),
  quality: JsonValueSchema.optional(),
});

export const LayoutJsonSchema = z
  .object({
    version: z.literal(LAYOUT_JSON_VERSION),
    title: z.string(),
    language: z.enum(['ja', 'en']),
    format: z.object({
      name: z.enum(PAGE_FORMAT_NAMES as [string, ...string[]]),
      trimMm: z.object({ w: z.number().positive(), h: z.number().positive() }),
      bleedMm: z.number().nonnegative(),
      innerFrameMm: BBoxMmSchema,
      safeMm: BBoxMmSchema,
      dpi: z.number().positive(),
    }),
    readingDirection: z.enum(['rtl', 'ltr']),
    characters: z.array(z.object({ id: z.string(), name: z.string() })),
    pages: z.array(LayoutPageSchema),
    quality: JsonValueSchema.optional(),
  })
  .superRefine((doc, ctx) => {
    // Cross-references a reader of the file relies on.
    doc.pages.forEach((p, pi) => {
      const panelIds = new Set(p.panels.map((x) => x.id));
      p.balloons.forEach((b, bi) => {
        if (!panelIds.has(b.panelId)) ctx.addIssue({ code: 'custom', path: ['pages', pi, 'balloons', bi, 'panelId'], message: `unknown panel ${b.panelId}` });
      });
      if (p.index !== pi) ctx.addIssue({ code: 'custom', path: ['pages', pi, 'index'], message: 'pages must be in reading order, indexed 0…n-1' });
    });
  });

export type LayoutJson = z.infer<typeof LayoutJsonSchema>;

/**
 * The quality report, as the checker returns it: per-page entries (matched to pages by
 * position or by their `index`/`pageIndex` field) and/or a book summary. Passed through as JSON.
 */
export interface QualityReportInput {
  pages?: ReadonlyArray<unknown>;
}

function roundMm(n: number): number {
  return Math.round(n * 1000) / 1000;
}
const box = (b: readonly number[]): [number, number, number, number] => [roundMm(b[0]), roundMm(b[1]), roundMm(b[2]), roundMm(b[3])];

export function toLayoutJson(book: ComposedBook, report?: QualityReportInput): LayoutJson {
  const pages = [...book.pages].sort((a, b) => a.page.index - b.page.index);
  const reportPages = report?.pages ? [...report.pages] : [];
  const { pages: _omit, ...summary } = report ?? {};
  const doc = {
    version: LAYOUT_JSON_VERSION,
    title: book.title,
    language: book.language,
    format: {
      name: book.format.name,
      trimMm: { ...book.format.trimMm },
      bleedMm: book.format.bleedMm,
      innerFrameMm: box(book.format.innerFrameMm),
      safeMm: box(book.format.safeMm),
      dpi: book.format.dpi,
    },
    readingDirection: book.readingDirection,
    characters: book.characters.map((c) => ({ id: c.id, name: c.name })),
    pages: pages.map((cp, i) => {
      const panels = [...cp.page.panels].sort((a, b) => a.order - b.order);
      const order = new Map(panels.map((p) => [p.id, p.order]));
      const balloons = [...cp.balloons].sort((a, b) => (order.get(a.panelId) ?? 0) - (order.get(b.panelId) ?? 0) || a.order - b.order);
      const q = reportPages.find((r) => isRecord(r) && (r.pageIndex === cp.page.index || r.index === cp.page.index)) ?? reportPages[i];
      return {
        index: i,
        panels: panels.map((p) => ({
          id: p.id,
          order: p.order,
          bboxMm: box(p.bboxMm),
          bleed: p.bleed,
          shot: p.shot,
          characters: [...p.characters],
          faces: p.faces.map((f) => ({ characterId: f.characterId, bboxMm: box(f.faceMm), bodyMm: box(f.bodyMm) })),
        })),
        balloons: balloons.map((b) => ({
          id: b.id,
          panelId: b.panelId,
          order: b.order,
          kind: b.kind,
          speakerId: b.speakerId,
          text: b.text,
          bboxMm: box(b.bboxMm),
          tailTipMm: b.tailTipMm ? ([roundMm(b.tailTipMm[0]), roundMm(b.tailTipMm[1])] as [number, number]) : null,
          columns: [...b.columns],
          vertical: b.vertical,
          fontSizeMm: b.fontSizeMm,
        })),
        ...(q === undefined ? {} : { quality: toJson(q) }),
      };
    }),
    ...(report && Object.keys(summary).length ? { quality: toJson(summary) } : {}),
  };
  return LayoutJsonSchema.parse(doc);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Strip anything JSON cannot carry (undefined, functions, NaN) the way JSON.stringify would. */
function toJson(v: unknown): JsonValue {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x))) as JsonValue;
}
