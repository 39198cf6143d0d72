/**
 * Versioned schemas of what each phase agent produces. An output that fails its schema is
 * rejected and never written into a project document. Bump `PHASE_OUTPUT_VERSION` and add an
 * upgrade in lib/doc when a shape changes.
 */
import { z } from 'zod';
import { BALLOON_KINDS, CAMERA_ANGLES, PAGE_FORMAT_NAMES, SHOT_TYPES } from '../lib/engine/types';

export const PHASE_OUTPUT_VERSION = 1;

export const PHASES = ['concept', 'characters', 'plot', 'name', 'scenes', 'dialogue', 'final'] as const;
export type Phase = (typeof PHASES)[number];
export const phaseSchema = z.enum(PHASES);

export const PHASE_STATUSES = ['idle', 'queued', 'running', 'review', 'approved', 'skipped', 'stale', 'failed'] as const;
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

const id = z.string().min(1).max(100);
const shortText = z.string().max(2_000);
const longText = z.string().max(50_000);
const bboxMm = z.tuple([z.number(), z.number(), z.number().nonnegative(), z.number().nonnegative()]);
const pointMm = z.tuple([z.number(), z.number()]);

export const conceptOutput = z.object({
  logline: shortText,
  theme: shortText,
  genre: shortText,
  tone: shortText,
  world: shortText,
  setting: shortText,
  keywords: z.array(z.string().max(100)).max(30),
  /** Prose: co-edited rich text in the doc. */
  synopsis: longText,
});

export const CHARACTER_ROLES = ['protagonist', 'deuteragonist', 'antagonist', 'supporting', 'minor'] as const;
export const characterSchema = z.object({
  id,
  name: z.string().min(1).max(200),
  aliases: z.array(z.string().max(200)).max(20),
  role: z.enum(CHARACTER_ROLES),
  look: shortText,
  personality: shortText,
  speechStyle: shortText,
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  referenceAssetId: z.string().max(200).nullable(),
});
export const charactersOutput = z.object({ cast: z.array(characterSchema).min(1).max(40) });

export const PLOT_STRUCTURES = ['three-act', 'kishotenketsu'] as const;
export const beatSchema = z.object({
  id,
  /** 'setup' | 'confrontation' | 'resolution' for three-act; 'ki' | 'sho' | 'ten' | 'ketsu' for kishōtenketsu. */
  act: z.enum(['setup', 'confrontation', 'resolution', 'ki', 'sho', 'ten', 'ketsu']),
  title: z.string().max(300),
  summary: shortText,
  pageBudget: z.number().int().min(1).max(60),
  /** Character offsets in the source text this beat covers. */
  sourceSpan: z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]).nullable(),
});
export const plotOutput = z.object({
  structure: z.enum(PLOT_STRUCTURES),
  beats: z.array(beatSchema).min(1).max(60),
  /** Prose: co-edited rich text in the doc. */
  outline: longText,
});

export const facePlacementSchema = z.object({ characterId: id, faceMm: bboxMm, bodyMm: bboxMm });
export const namePanelSchema = z.object({
  id,
  order: z.number().int().nonnegative(),
  bboxMm,
  bleed: z.boolean(),
  shot: z.enum(SHOT_TYPES),
  camera: z.enum(CAMERA_ANGLES),
  importance: z.number().min(0).max(1),
  characters: z.array(id).max(20),
  faces: z.array(facePlacementSchema).max(20),
  beatId: id.nullable(),
  description: shortText,
});
export const namePageSchema = z.object({ index: z.number().int().nonnegative(), panels: z.array(namePanelSchema).min(1).max(12) });
export const nameOutput = z.object({
  format: z.enum(PAGE_FORMAT_NAMES),
  readingDirection: z.enum(['rtl', 'ltr']),
  pages: z.array(namePageSchema).min(1).max(200),
});

export const sceneImageSchema = z.object({
  panelId: id,
  assetId: z.string().max(200).nullable(),
  prompt: longText,
  seed: z.number().int(),
  model: z.string().max(200),
});
export const scenesOutput = z.object({ panels: z.array(sceneImageSchema).max(2_000) });

export const dialogueLineSchema = z.object({
  id,
  panelId: id,
  speakerId: id.nullable(),
  kind: z.enum(BALLOON_KINDS),
  text: z.string().min(1).max(1_000),
  order: z.number().int().nonnegative(),
});
export const placedBalloonSchema = z.object({
  id,
  lineId: id,
  panelId: id,
  order: z.number().int().nonnegative(),
  kind: z.enum(BALLOON_KINDS),
  speakerId: id.nullable(),
  text: z.string().max(1_000),
  bboxMm,
  tailTipMm: pointMm.nullable(),
  columns: z.array(z.string().max(200)).max(40),
  vertical: z.boolean(),
  fontSizeMm: z.number().positive(),
});
export const letteringIssueSchema = z.object({
  lineId: id,
  panelId: id,
  code: z.enum(['overflow', 'no-position', 'face-overlap', 'too-long']),
  message: shortText,
});
export const dialogueOutput = z.object({
  lines: z.array(dialogueLineSchema).max(5_000),
  balloons: z.array(placedBalloonSchema).max(5_000),
  issues: z.array(letteringIssueSchema).max(5_000),
});

export const finalPageSchema = z.object({
  index: z.number().int().nonnegative(),
  assetId: z.string().max(200).nullable(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export const finalOutput = z.object({
  pages: z.array(finalPageSchema).max(200),
  /**
   * The book as phase 7 left it after its fixes (re-pagination, re-lettering): what exports
   * print. Absent in books finished before it existed: exports then use the name and dialogue.
   */
  book: z.object({ name: nameOutput, balloons: z.array(placedBalloonSchema).max(5_000) }).optional(),
  /** The per-page quality report (metrics M1–M18) and what phase 7 fixed, as JSON. */
  report: z.record(z.string(), z.unknown()),
});

export const phaseOutputSchemas = {
  concept: conceptOutput,
  characters: charactersOutput,
  plot: plotOutput,
  name: nameOutput,
  scenes: scenesOutput,
  dialogue: dialogueOutput,
  final: finalOutput,
} as const;

export type ConceptOutput = z.infer<typeof conceptOutput>;
export type CharactersOutput = z.infer<typeof charactersOutput>;
export type Character = z.infer<typeof characterSchema>;
export type PlotOutput = z.infer<typeof plotOutput>;
export type Beat = z.infer<typeof beatSchema>;
export type NameOutput = z.infer<typeof nameOutput>;
export type NamePanel = z.infer<typeof namePanelSchema>;
export type ScenesOutput = z.infer<typeof scenesOutput>;
export type DialogueOutput = z.infer<typeof dialogueOutput>;
export type FinalOutput = z.infer<typeof finalOutput>;
export type PhaseOutput<P extends Phase> = z.infer<(typeof phaseOutputSchemas)[P]>;

/** Prose fields are stored as shared rich text (Y.XmlFragment) so people co-edit them. */
export const PROSE_FIELDS: { [P in Phase]: readonly string[] } = {
  concept: ['synopsis'],
  characters: [],
  plot: ['outline'],
  name: [],
  scenes: [],
  dialogue: [],
  final: [],
};

/** Which upstream phases each phase is built from (for basedOn and staleness). */
export const PHASE_INPUTS: { [P in Phase]: readonly Phase[] } = {
  concept: [],
  characters: ['concept'],
  plot: ['concept', 'characters'],
  name: ['characters', 'plot'],
  scenes: ['characters', 'name'],
  dialogue: ['characters', 'plot', 'name'],
  final: ['name', 'scenes', 'dialogue'],
};
