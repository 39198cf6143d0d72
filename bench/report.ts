/**
 * Every benchmark owns one section of BENCHMARKS.md, between `<!-- bench:NAME -->` and
 * `<!-- /bench:NAME -->`; running it replaces that section only, so figures from different
 * benchmarks (and days) sit side by side.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const BENCHMARKS_FILE = path.resolve(import.meta.dirname, '../BENCHMARKS.md');

export function replaceBenchSection(current: string, name: string, body: string): string {
  const section = `<!-- bench:${name} -->\n${body.trimEnd()}\n<!-- /bench:${name} -->`;
  const pattern = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  // A function replacement: `$` in the figures must not be read as a pattern reference.
  return pattern.test(current) ? current.replace(pattern, () => section) : `${current.trimEnd()}\n\n${section}\n`;
}

export function writeBenchSection(name: string, lines: string[] | string, file = BENCHMARKS_FILE): void {
  const body = Array.isArray(lines) ? lines.join('\n') : lines;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n\nFigures measured on this project\'s machines; each section is written by the command it names.\n';
  writeFileSync(file, replaceBenchSection(current, name, body));
  process.stdout.write(`${body}\n`);
}
