/**
 * The headless CLI as a user runs it: a child process, real files, exit codes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayoutJsonSchema } from '../../lib/engine/export';

const root = path.resolve(import.meta.dirname, '../..');
const stories = path.resolve(root, '../shared/fixtures/stories');
let dir: string;

function koma(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'cli/koma.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 240_000 });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'koma-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run koma -- generate', () => {
  it.each([
    ['a missing file', path.join(stories, 'no-such-story.txt'), /cannot read/],
    ['an empty file', path.join(stories, 'bad/empty.txt'), /empty/],
    ['a whitespace-only file', path.join(stories, 'bad/whitespace.txt'), /blank/],
    ['a binary file', path.join(stories, 'bad/binary.bin'), /binary|UTF-8/],
  ])('refuses %s with exit code 2, one sentence, nothing written', async (_what, input, message) => {
    const out = path.join(dir, `out-${path.basename(input)}`);
    const run = koma('generate', '--input', input, '--out', out);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(await stat(out).catch(() => null)).toBeNull();
  });

  it('refuses a story over 200,000 characters, and bad options', async () => {
    const big = path.join(dir, 'big.txt');
    await writeFile(big, 'あ'.repeat(200_001));
    const tooBig = koma('generate', '--input', big, '--out', path.join(dir, 'big-out'));
    expect(tooBig.status).toBe(2);
    expect(tooBig.stderr).toMatch(/200000|200,000|limit/);
    const badFormat = koma('generate', '--input', path.join(stories, 'ja-mini.txt'), '--out', path.join(dir, 'x'), '--format', 'A4');
    expect(badFormat.status).toBe(2);
    expect(badFormat.stderr).toMatch(/--format/);
    const noCommand = koma();
    expect(noCommand.status).toBe(2);
  });

  it('turns a Japanese story into pages, a PDF, a CBZ, layout.json and report.json', async () => {
    const out = path.join(dir, 'mini');
    const run = koma('generate', '--input', path.join(stories, 'ja-mini.txt'), '--out', out, '--seed', '7');
    expect(run.status, run.stderr).toBe(0);
    const pages = (await readdir(path.join(out, 'pages'))).sort();
    expect(pages.length).toBeGreaterThan(0);
    expect(pages[0]).toBe('page-001.png');

    const pdfinfo = execFileSync('pdfinfo', [path.join(out, 'book.pdf')], { encoding: 'utf8' });
    expect(Number(/Pages:\s+(\d+)/.exec(pdfinfo)?.[1])).toBe(pages.length);
    const comicInfo = execFileSync('unzip', ['-p', path.join(out, 'book.cbz'), 'ComicInfo.xml'], { encoding: 'utf8' });
    expect(comicInfo).toContain('<Manga>YesAndRightToLeft</Manga>');
    expect(comicInfo).toContain(`<PageCount>${pages.length}</PageCount>`);

    const layout = LayoutJsonSchema.parse(JSON.parse(await readFile(path.join(out, 'layout.json'), 'utf8')));
    expect(layout.readingDirection).toBe('rtl');
    expect(layout.pages).toHaveLength(pages.length);
    expect(layout.pages.flatMap((p) => p.balloons).length).toBeGreaterThan(0);

    const report = JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'));
    expect(Object.keys(report.timingsMs)).toEqual(expect.arrayContaining(['concept', 'characters', 'plot', 'name', 'scenes', 'dialogue', 'final']));
    expect(report.quality.quality.summary.length).toBeGreaterThan(0);
    // No scratch folder left beside the output.
    expect((await readdir(dir)).filter((f) => f.includes('.partial-'))).toEqual([]);
  });
});
