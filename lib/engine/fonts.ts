/**
 * Font files and parsed fonts for the lettering engine.
 *
 * Fonts come from npm packages (OFL Noto Sans JP / Noto Sans as TTF), never from the system or
 * the network (issue 4: "Fonts come from npm packages … never from the system"). resvg has no
 * fonts of its own and ignores OpenType `vert` (STACK.md gotcha 8), so the lettering engine
 * turns every glyph into outlines; these files are what it reads.
 *
 * Parsing a 5 MB CJK TTF costs ~50 ms, and glyph outlines are reused on every balloon, so both
 * the parsed fonts and the per-glyph outlines are cached for the life of the process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import * as fontkit from 'fontkit';


export type LetteringFace =
  | 'ja-regular'
  | 'ja-bold'
  | 'ja-black'
  | 'latin-regular'
  | 'latin-bold'
  | 'latin-black';

export const LETTERING_FACES: readonly LetteringFace[] = [
  'ja-regular', 'ja-bold', 'ja-black', 'latin-regular', 'latin-bold', 'latin-black',
] as const;

/** [package, file inside it] per face. */
const FONT_MODULES: Record<LetteringFace, readonly [string, string]> = {
  'ja-regular': ['@expo-google-fonts/noto-sans-jp', '400Regular/NotoSansJP_400Regular.ttf'],
  'ja-bold': ['@expo-google-fonts/noto-sans-jp', '700Bold/NotoSansJP_700Bold.ttf'],
  'ja-black': ['@expo-google-fonts/noto-sans-jp', '900Black/NotoSansJP_900Black.ttf'],
  'latin-regular': ['@expo-google-fonts/noto-sans', '400Regular/NotoSans_400Regular.ttf'],
  'latin-bold': ['@expo-google-fonts/noto-sans', '700Bold/NotoSans_700Bold.ttf'],
  'latin-black': ['@expo-google-fonts/noto-sans', '900Black/NotoSans_900Black.ttf'],
};

/** Absolute path of a face's TTF (e.g. for resvg's `font.fontFiles`, if a caller wants real text). */
export function fontFile(face: LetteringFace): string {
  const [pkg, file] = FONT_MODULES[face];
  return path.join(packageDir(pkg), file);
}

const packageDirs = new Map<string, string>();

/**
 * Where an installed package lives, found on disk by walking up to each node_modules — not
 * with require.resolve, which a bundler (Next's Turbopack) rewrites and would try to bundle a
 * 5 MB .ttf through. Starts from this module and from the working directory.
 */
function packageDir(pkg: string): string {
  const hit = packageDirs.get(pkg);
  if (hit) return hit;
  const starts = [path.dirname(fileURLToPath(import.meta.url)), process.cwd()];
  for (const start of starts) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', pkg);
      if (existsSync(path.join(candidate, 'package.json'))) {
        packageDirs.set(pkg, candidate);
        return candidate;
      }
      if (path.dirname(dir) === dir) break;
    }
  }
  throw new Error(`font package ${pkg} is not installed: run npm install`);
}

/** Every lettering font file, for renderers that want to load them all. */
export function allFontFiles(): string[] {
  return LETTERING_FACES.map(fontFile);
}

const fonts = new Map<LetteringFace, fontkit.Font>();

/** The parsed font, cached. */
export function loadFont(face: LetteringFace): fontkit.Font {
  const hit = fonts.get(face);
  if (hit) return hit;
  const opened = fontkit.create(readFileSync(fontFile(face)));
  // A .ttf holds one font; a collection (.ttc) would need a PostScript name and we never ship one.
  if (!('layout' in opened)) throw new Error(`font ${face} is a collection, expected a single TTF`);
  fonts.set(face, opened);
  return opened;
}

/** One outline command in font units (y up), as fontkit's Path gives it. */
export interface OutlineCommand {
  command: 'moveTo' | 'lineTo' | 'quadraticCurveTo' | 'bezierCurveTo' | 'closePath';
  args: number[];
}

/** A shaped glyph, reduced to what the lettering engine needs; font units, y up. */
export interface GlyphShape {
  id: number;
  advance: number;
  commands: OutlineCommand[];
  bbox: { minX: number; minY: number; maxX: number; maxY: number };
}

export interface ShapedRun {
  glyphs: GlyphShape[];
  /** Pen advance per glyph (font units), after GPOS. */
  advances: number[];
  /** Offsets per glyph (font units, y up). */
  offsets: Array<[number, number]>;
  advanceWidth: number;
  unitsPerEm: number;
}

const runCache = new Map<string, ShapedRun>();
const RUN_CACHE_MAX = 20_000;
/** Outlines per face and glyph id: runs share them, so a glyph is converted once. */
const glyphCache = new Map<LetteringFace, Map<number, GlyphShape>>();

function glyphShape(face: LetteringFace, g: fontkit.Glyph): GlyphShape {
  let perFace = glyphCache.get(face);
  if (!perFace) {
    perFace = new Map();
    glyphCache.set(face, perFace);
  }
  const hit = perFace.get(g.id);
  if (hit) return hit;
  const b = g.bbox;
  const shape: GlyphShape = {
    id: g.id,
    advance: g.advanceWidth,
    commands: g.path.commands.map((c) => ({ command: c.command as OutlineCommand['command'], args: [...c.args] })),
    bbox: { minX: b.minX, minY: b.minY, maxX: b.maxX, maxY: b.maxY },
  };
  perFace.set(g.id, shape);
  return shape;
}

/**
 * Shape `text` with the given OpenType features (e.g. `['vert']` for vertical alternates,
 * JIS X 4051 / JLReq §3.1.1 glyph orientation) and return its glyph outlines. Cached.
 */
export function shapeRun(face: LetteringFace, text: string, features: readonly string[] = []): ShapedRun {
  const key = `${face}\u0000${features.join(',')}\u0000${text}`;
  const hit = runCache.get(key);
  if (hit) return hit;
  const font = loadFont(face);
  const run = font.layout(text, [...features]);
  const shaped: ShapedRun = {
    glyphs: run.glyphs.map((g) => glyphShape(face, g)),
    advances: run.positions.map((p) => p.xAdvance),
    offsets: run.positions.map((p) => [p.xOffset, p.yOffset] as [number, number]),
    advanceWidth: run.advanceWidth,
    unitsPerEm: font.unitsPerEm,
  };
  if (runCache.size >= RUN_CACHE_MAX) runCache.clear();
  runCache.set(key, shaped);
  return shaped;
}

const widthCache = new Map<string, number>();

/** Advance width of `text` in em (shaped, so kerning counts). Cached, without outlines. */
export function advanceEm(face: LetteringFace, text: string): number {
  if (text.length === 0) return 0;
  const key = `${face}\u0000${text}`;
  const hit = widthCache.get(key);
  if (hit !== undefined) return hit;
  const font = loadFont(face);
  const w = font.layout(text).advanceWidth / font.unitsPerEm;
  if (widthCache.size >= RUN_CACHE_MAX) widthCache.clear();
  widthCache.set(key, w);
  return w;
}

/** Glyph ids of `text` shaped with `features`: used by tests to prove `vert` substitutes. */
export function glyphIds(face: LetteringFace, text: string, features: readonly string[] = []): number[] {
  return shapeRun(face, text, features).glyphs.map((g) => g.id);
}
