/**
 * The headless CLI: `npm run koma -- generate --input story.txt --out dir [options]` runs all
 * seven phases in-process (no database, no Redis, no collab-server) on the same project
 * document model and agents the product uses, then writes the book:
 *
 *   dir/pages/page-001.png …  dir/book.pdf  dir/book.cbz  dir/layout.json  dir/report.json
 *
 * Everything is written into a scratch folder first and moved into place at the end, so a
 * failed run never leaves a half-written book that looks complete. Bad input → exit code 2
 * and one sentence on stderr.
 */
import { mkdir, readFile, rename, rm, stat, writeFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { QualityLevel } from '../lib/engine/types';
import { QUALITY_LEVELS, PAGE_FORMAT_NAMES } from '../lib/engine/types';
import { decodeUtf8 } from '../lib/http/validate';
import { HttpError } from '../lib/http/errors';
import { validateSourceText } from '../lib/projects/source-text';

class UsageError extends Error {}

const USAGE = `usage: npm run koma -- generate --input <story.txt> --out <dir> [--lang ja|en] [--direction rtl|ltr] [--format B5|A5|B6|US] [--provider offline|gemini] [--seed N] [--quality ${QUALITY_LEVELS.join('|')}] [--force]`;

const optionsSchema = z.object({
  input: z.string({ error: 'missing --input <story.txt>' }).min(1, 'missing --input <story.txt>'),
  out: z.string({ error: 'missing --out <dir>' }).min(1, 'missing --out <dir>'),
  lang: z.enum(['ja', 'en'], { error: '--lang must be ja or en' }).optional(),
  direction: z.enum(['rtl', 'ltr'], { error: '--direction must be rtl or ltr' }).optional(),
  format: z.enum(PAGE_FORMAT_NAMES, { error: `--format must be one of ${PAGE_FORMAT_NAMES.join(', ')}` }).default('B5'),
  provider: z.enum(['offline', 'gemini'], { error: '--provider must be offline or gemini' }).default('offline'),
  seed: z.coerce.number({ error: '--seed must be a whole number' }).int('--seed must be a whole number').nonnegative('--seed must be ≥ 0').default(1),
  quality: z.enum(QUALITY_LEVELS, { error: `--quality must be one of ${QUALITY_LEVELS.join(', ')}` }).default('high'),
  force: z.boolean().default(false),
});
export type GenerateOptions = z.infer<typeof optionsSchema>;

function parseCommandLine(argv: string[]): GenerateOptions {
  const [command, ...rest] = argv;
  if (command !== 'generate') throw new UsageError(command ? `unknown command "${command}"; ${USAGE}` : USAGE);
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: rest,
      options: {
        input: { type: 'string' },
        out: { type: 'string' },
        lang: { type: 'string' },
        direction: { type: 'string' },
        format: { type: 'string' },
        provider: { type: 'string' },
        seed: { type: 'string' },
        quality: { type: 'string' },
        force: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}; ${USAGE}`);
  }
  const parsed = optionsSchema.safeParse(values);
  if (!parsed.success) throw new UsageError(parsed.error.issues[0]?.message ?? USAGE);
  return parsed.data;
}

/** Japanese if the text has kana or kanji in any quantity; English otherwise. */
export function detectLanguage(text: string): 'ja' | 'en' {
  const cjk = text.match(/[\u3040-\u30ff\u4e00-\u9fff]/g)?.length ?? 0;
  return cjk >= Math.max(5, text.length * 0.05) ? 'ja' : 'en';
}

async function readStory(file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch {
    throw new UsageError(`cannot read the story file ${file}: it does not exist or is not readable`);
  }
  const text = decodeUtf8(bytes);
  if (text === null) throw new UsageError(`${file} is not UTF-8 text (it looks like a binary file)`);
  try {
    return validateSourceText(text);
  } catch (error) {
    if (error instanceof HttpError) throw new UsageError(`${file}: ${error.message.replace(/^sourceText/, 'the story')}`);
    throw error;
  }
}

async function prepareOut(out: string, force: boolean): Promise<void> {
  const existing = await stat(out).catch(() => null);
  if (!existing) return;
  if (!existing.isDirectory()) throw new UsageError(`${out} exists and is not a folder`);
  if ((await readdir(out)).length > 0 && !force) throw new UsageError(`${out} is not empty: choose another folder or pass --force to replace it`);
}

export interface GenerateResult {
  pages: number;
  timingsMs: Record<string, number>;
}

export async function generate(options: GenerateOptions, log: (line: string) => void = () => {}, interactive = false): Promise<GenerateResult> {
  const sourceText = await readStory(options.input);
  const out = path.resolve(options.out);
  await prepareOut(out, options.force);
  // The engine, the agents and Chromium are loaded only once the input is known to be good:
  // a bad invocation answers in a fraction of a second.
  const [{ parseConfig }, engineExport, { composedBookFromPhases }, { selectProvider }, { runAllPhases }, { PHASES }, { ProgressBoard }] = await Promise.all([
    import('../lib/config'),
    import('../lib/engine/export'),
    import('../lib/phases/book'),
    import('../agents'),
    import('../lib/phases/in-process'),
    import('../schema/phases'),
    import('./progress'),
  ]);
  const { exportCbz, exportPdf, rasterizeBook, toLayoutJson } = engineExport;
  const language = options.lang ?? detectLanguage(sourceText);
  const readingDirection = options.direction ?? (language === 'ja' ? 'rtl' : 'ltr');
  const provider = selectProvider(parseConfig({ ...process.env, AI_PROVIDER: options.provider }));
  const title = path.basename(options.input).replace(/\.[^.]+$/, '');

  const board = new ProgressBoard(PHASES, interactive ? process.stderr : null);
  const run = await runAllPhases({
    title,
    sourceText,
    language,
    readingDirection,
    pageFormat: options.format,
    seed: options.seed,
    provider,
    onProgress: (phase, fraction, message) => board.update(phase, fraction, message),
    onPhaseDone: (phase, ms) => {
      board.done(phase, ms);
      if (!interactive) log(`${phase.padEnd(10)} ${String(ms).padStart(6)} ms`);
    },
  });
  const timingsMs: Record<string, number> = { ...run.timingsMs };
  const costJpy = run.costJpy;
  const exportStarted = performance.now();
  const final = run.sources.final;
  const book = await composedBookFromPhases(run.sources, async (id) => run.assets.get(id)?.bytes ?? null);
  const quality: QualityLevel = options.quality;
  const rasters = await rasterizeBook(book, quality, { mime: 'image/png' });

  const scratch = `${out}.partial-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(path.join(scratch, 'pages'), { recursive: true });
  try {
    for (const [i, raster] of rasters.entries()) {
      await writeFile(path.join(scratch, 'pages', `page-${String(i + 1).padStart(3, '0')}.png`), raster.bytes);
    }
    let pdf: Uint8Array;
    try {
      pdf = await exportPdf(book);
    } catch {
      // No Chromium on this machine: a raster PDF from the same pages, still correct.
      pdf = await exportPdf(book, rasters, { mode: 'raster' });
    }
    await writeFile(path.join(scratch, 'book.pdf'), pdf);
    await writeFile(path.join(scratch, 'book.cbz'), await exportCbz(book, rasters));
    const qualityReport = (final?.report as { quality?: { pages?: unknown[] } } | undefined)?.quality;
    await writeFile(path.join(scratch, 'layout.json'), JSON.stringify(toLayoutJson(book, qualityReport), null, 2));
    timingsMs.export = Math.round(performance.now() - exportStarted);
    const report = {
      generatedAt: new Date().toISOString(),
      input: path.basename(options.input),
      language,
      readingDirection,
      format: options.format,
      provider: provider.name,
      seed: options.seed,
      costJpy,
      pages: rasters.length,
      timingsMs,
      totalMs: Object.values(timingsMs).reduce((a, b) => a + b, 0),
      quality: final?.report ?? null,
    };
    await writeFile(path.join(scratch, 'report.json'), JSON.stringify(report, null, 2));
    await rm(out, { recursive: true, force: true });
    await rename(scratch, out);
  } catch (error) {
    await rm(scratch, { recursive: true, force: true });
    throw error;
  }
  return { pages: rasters.length, timingsMs };
}

async function main(): Promise<void> {
  let options: GenerateOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
    const interactive = Boolean(process.stderr.isTTY);
    const result = await generate(options, (line) => process.stdout.write(`${line}\n`), interactive);
    process.stdout.write(`wrote ${result.pages} pages to ${path.resolve(options.out)} (book.pdf, book.cbz, layout.json, report.json, pages/)\n`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`koma: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`koma: generation failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) void main();
