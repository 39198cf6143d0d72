/**
 * The manga engine's shared vocabulary: page formats, shots, laid-out pages, balloons.
 * Every length is in millimetres, measured from the top-left corner of the trim box
 * (so bleed is at negative coordinates / beyond the trim size).
 */

export type ReadingDirection = 'rtl' | 'ltr';
export type Language = 'ja' | 'en';
export type PageFormatName = 'B5' | 'A5' | 'B6' | 'US';
export const PAGE_FORMAT_NAMES: readonly PageFormatName[] = ['B5', 'A5', 'B6', 'US'] as const;

/** [x, y, width, height] in mm from the trim box's top-left. */
export type BBoxMm = [number, number, number, number];
/** [x, y] in mm from the trim box's top-left. */
export type PointMm = [number, number];

export interface PageFormat {
  name: PageFormatName;
  trimMm: { w: number; h: number };
  bleedMm: number;
  /** The inner frame (panel area), centred in the trim. */
  innerFrameMm: BBoxMm;
  /** Text must stay inside this (≥ 10 mm inside trim). */
  safeMm: BBoxMm;
  /** Gutters: inside a tier (between side-by-side panels) and between tiers. */
  gutterMm: { intraTier: number; interTier: number };
  dpi: number;
  defaultDirection: ReadingDirection;
}

export type ShotType =
  | 'establishing'
  | 'wide'
  | 'full'
  | 'medium'
  | 'closeup'
  | 'extreme-closeup'
  | 'over-shoulder'
  | 'insert'
  | 'action';
export const SHOT_TYPES: readonly ShotType[] = [
  'establishing', 'wide', 'full', 'medium', 'closeup', 'extreme-closeup', 'over-shoulder', 'insert', 'action',
] as const;

export type CameraAngle = 'eye' | 'high' | 'low' | 'birds-eye' | 'worms-eye' | 'dutch';
export const CAMERA_ANGLES: readonly CameraAngle[] = ['eye', 'high', 'low', 'birds-eye', 'worms-eye', 'dutch'] as const;

/** One planned panel, in story order: the input of the layout engine. */
export interface ShotInput {
  id: string;
  /** 0..1: how important/slow the moment is; drives panel area. */
  importance: number;
  shot: ShotType;
  camera?: CameraAngle;
  /** Character ids visible in the panel, most prominent first. */
  characters: string[];
  beatId?: string;
  /** Wants to be the first panel after a page turn (a reveal). */
  reveal?: boolean;
  /** Wants to run off the page (tachikiri). */
  bleed?: boolean;
  description?: string;
}

export interface FacePlacement {
  characterId: string;
  faceMm: BBoxMm;
  bodyMm: BBoxMm;
}

export interface LaidPanel {
  id: string;
  shotId: string;
  /** 0-based reading order within its page. */
  order: number;
  bboxMm: BBoxMm;
  bleed: boolean;
  shot: ShotType;
  camera: CameraAngle;
  importance: number;
  characters: string[];
  faces: FacePlacement[];
  beatId?: string;
  description?: string;
}

export interface LaidPage {
  index: number;
  panels: LaidPanel[];
}

export interface LayoutOptions {
  format: PageFormatName;
  readingDirection: ReadingDirection;
  seed: number;
  /** 0 = the preferred layout; 1, 2, … = alternatives (for branches). */
  alternative?: number;
}

export interface BookLayout {
  format: PageFormat;
  readingDirection: ReadingDirection;
  pages: LaidPage[];
}

export type BalloonKind = 'speech' | 'thought' | 'shout' | 'whisper' | 'narration' | 'broadcast' | 'sfx';
export const BALLOON_KINDS: readonly BalloonKind[] = ['speech', 'thought', 'shout', 'whisper', 'narration', 'broadcast', 'sfx'] as const;

/** One line of the script, attached to a panel: the input of balloon placement. */
export interface DialogueLine {
  id: string;
  panelId: string;
  /** null for narration or an unknown speaker. */
  speakerId: string | null;
  kind: BalloonKind;
  text: string;
  /** Script order within the panel (0-based). */
  order: number;
}

export interface PlacedBalloon {
  id: string;
  lineId: string;
  panelId: string;
  /** Reading order within the panel (0-based). */
  order: number;
  kind: BalloonKind;
  speakerId: string | null;
  text: string;
  bboxMm: BBoxMm;
  /** Where the tail points; null when there is no tail (narration, off-panel speaker, SFX). */
  tailTipMm: PointMm | null;
  /** The lines exactly as set (columns for vertical text, rows for horizontal). */
  columns: string[];
  vertical: boolean;
  fontSizeMm: number;
}

export interface LetteringIssue {
  lineId: string;
  panelId: string;
  code: 'overflow' | 'no-position' | 'face-overlap' | 'too-long';
  message: string;
}

export type QualityLevel = 'ultra' | 'high' | 'medium' | 'low' | 'preview';
export const QUALITY_LEVELS: readonly QualityLevel[] = ['ultra', 'high', 'medium', 'low', 'preview'] as const;

export interface BookCharacter {
  id: string;
  name: string;
  color?: string;
}

/** A page ready to render: its panels, balloons and (optional) scene image per panel. */
export interface ComposedPage {
  page: LaidPage;
  balloons: PlacedBalloon[];
  /** panelId → image bytes (PNG/WebP/JPEG/SVG). Panels without one render a storyboard placeholder. */
  images: Map<string, Uint8Array>;
}

export interface ComposedBook {
  title: string;
  language: Language;
  format: PageFormat;
  readingDirection: ReadingDirection;
  characters: BookCharacter[];
  pages: ComposedPage[];
}
