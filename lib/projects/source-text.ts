/**
 * The story a project is made from. UTF-8 text only, not blank, at most 200,000 characters
 * (UTF-16 code units, the same measure the document seed uses). Each failure has its own code
 * and a sentence that says which rule was broken.
 */
import { badRequest, type HttpError } from '../http/errors';
import { looksBinary } from '../http/validate';

export const MAX_SOURCE_TEXT_CHARS = 200_000;

export const sourceTextBinary = (): HttpError =>
  badRequest('source_text_binary', 'sourceText is not UTF-8 text: it looks like binary data (control bytes or invalid UTF-8)');

/** Returns the text to store (a leading BOM dropped), or throws a 400 naming the problem. */
export function validateSourceText(raw: string): string {
  const text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  if (text.length === 0) throw badRequest('source_text_empty', 'sourceText is empty: paste the story the manga is made from');
  if (text.length > MAX_SOURCE_TEXT_CHARS) {
    throw badRequest('source_text_too_long', `sourceText is ${text.length} characters; the limit is ${MAX_SOURCE_TEXT_CHARS}`);
  }
  if (looksBinary(text)) throw sourceTextBinary();
  if (text.trim().length === 0) throw badRequest('source_text_blank', 'sourceText is blank: it contains only whitespace');
  return text;
}
