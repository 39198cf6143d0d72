/**
 * Kinsoku shori (line-breaking prohibitions) for Japanese columns.
 *
 * Character classes follow the W3C "Requirements for Japanese Text Layout" (JLReq, Appendix A)
 * and JIS X 4051 §6.1 ("行頭禁則" / "行末禁則" / "分離禁止"):
 * - never at the start of a line: closing brackets (cl-02), hyphens (cl-03), dividing
 *   punctuation ？！ (cl-04), middle dots ・：； (cl-05), full stops 。． (cl-06), commas 、，
 *   (cl-07), iteration marks (cl-09), the prolonged sound mark ー (cl-10), small kana (cl-11);
 * - never at the end of a line: opening brackets (cl-01);
 * - never split: inseparable characters …… ‥‥ ―― (cl-08) and grouped numerals (cl-23/24).
 */

/** JLReq cl-02 closing brackets (full- and half-width). */
export const CLOSING_BRACKETS = '」』）】〕〉》］｝〙〗｠’”)]}»';
/** JLReq cl-01 opening brackets. */
export const OPENING_BRACKETS = '「『（【〔〈《［｛〘〖｟‘“([{«';
/** JLReq cl-11 small kana (hiragana, katakana, katakana phonetic extensions). */
export const SMALL_KANA = 'ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ';
/** JLReq cl-03/cl-10: hyphens and the prolonged sound mark. */
export const PROLONGED = 'ー゠‐〜～';
/** JLReq cl-04 dividing punctuation. */
export const DIVIDING = '？！‼⁇⁈⁉?!';
/** JLReq cl-05/06/07: middle dots, full stops, commas. */
export const STOPS = '・：；。．、，:;.,';
/** JLReq cl-09 iteration marks. */
export const ITERATION = '々〻ゝゞヽヾ';
/** JLReq cl-08 inseparable characters. */
export const INSEPARABLE = '…‥―';

/**
 * JIS X 4051 only forbids splitting leaders (cl-08); many publishers also keep …… and ‥‥ off
 * the start of a line, and so does our quality checker (M15). We follow the stricter rule.
 */
const NOT_AT_START = new Set([...CLOSING_BRACKETS, ...SMALL_KANA, ...PROLONGED, ...DIVIDING, ...STOPS, ...ITERATION, '…', '‥']);
const NOT_AT_END = new Set([...OPENING_BRACKETS]);

export function cannotStartLine(ch: string): boolean {
  return NOT_AT_START.has(ch);
}
export function cannotEndLine(ch: string): boolean {
  return NOT_AT_END.has(ch);
}
export function isDigit(ch: string): boolean {
  return /^[0-9０-９]$/u.test(ch);
}
export function isInseparable(ch: string): boolean {
  return INSEPARABLE.includes(ch);
}

export interface KinsokuViolation {
  column: number;
  rule: 'line-start' | 'line-end' | 'split-inseparable' | 'split-number';
  text: string;
}

/**
 * Every kinsoku violation in a sequence of columns (or rows) as set. An independent check:
 * it looks only at the strings, so the quality report (M15) can use it on any output.
 */
export function kinsokuViolations(columns: readonly string[]): KinsokuViolation[] {
  const out: KinsokuViolation[] = [];
  columns.forEach((col, i) => {
    const chars = [...col];
    if (chars.length === 0) return;
    const first = chars[0];
    const last = chars[chars.length - 1];
    // The prohibitions are about breaks: the first column may start with ？ (a balloon that is
    // just "!?"), the last may end with 「 — neither follows or precedes a break.
    if (i > 0 && cannotStartLine(first)) out.push({ column: i, rule: 'line-start', text: col });
    if (i < columns.length - 1 && cannotEndLine(last)) out.push({ column: i, rule: 'line-end', text: col });
    const next = columns[i + 1];
    if (next === undefined || next.length === 0) return;
    const nextFirst = [...next][0];
    if (isInseparable(last) && last === nextFirst) out.push({ column: i, rule: 'split-inseparable', text: col });
    if (isDigit(last) && isDigit(nextFirst)) out.push({ column: i, rule: 'split-number', text: col });
  });
  return out;
}
