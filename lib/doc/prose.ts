/**
 * Prose fields (schema/phases.ts PROSE_FIELDS) live in the doc as a Y.XmlFragment in exactly
 * the shape y-tiptap (Tiptap's Collaboration extension) reads and writes for StarterKit:
 *
 *   XmlFragment                      ← the ProseMirror `doc` node itself (bind with `fragment:`)
 *     XmlElement 'paragraph'
 *       XmlText 'first line'         ← marks become formatting attributes (bold, italic, …)
 *       XmlElement 'hardBreak'       ← a single '\n' inside a paragraph
 *       XmlText 'second line'
 *     XmlElement 'paragraph'         ← an empty paragraph has no children
 *
 * Plain text ↔ fragment is an exact round trip: paragraphs are separated by '\n\n' and a lone
 * '\n' is a hardBreak. Reading tolerates everything a person can type in StarterKit (headings,
 * lists, quotes, code blocks): every textblock becomes a paragraph of the plain text.
 */
import * as Y from 'yjs';
import { endsWithHighSurrogate, wellFormed } from './text';

export const PARAGRAPH = 'paragraph';
export const HARD_BREAK = 'hardBreak';
const PARAGRAPH_SEPARATOR = '\n\n';

// A stream cut in the middle of a surrogate pair (an emoji, a rare kanji such as 𠮷) keeps the
// first half here until the next chunk brings the second, so the character arrives whole.
const pendingHighSurrogate = new WeakMap<Y.XmlFragment, string>();

/** Block containers whose children are blocks (not inline content). */
const CONTAINER_NODES = new Set(['blockquote', 'bulletList', 'orderedList', 'listItem', 'doc']);

function paragraphFromLine(text: string): Y.XmlElement {
  const p = new Y.XmlElement(PARAGRAPH);
  const parts = text.split('\n');
  const children: (Y.XmlText | Y.XmlElement)[] = [];
  parts.forEach((part, i) => {
    if (i > 0) children.push(new Y.XmlElement(HARD_BREAK));
    // Empty text nodes are not produced by y-tiptap either; omitting them keeps both shapes identical.
    if (part.length > 0) children.push(new Y.XmlText(part));
  });
  if (children.length > 0) p.insert(0, children);
  return p;
}

/** Paragraph elements for a plain text (not yet integrated). */
export function paragraphsFromText(text: string): Y.XmlElement[] {
  return wellFormed(text).split(PARAGRAPH_SEPARATOR).map(paragraphFromLine);
}

/** A new, not yet integrated fragment holding `text`. */
export function fragmentFromText(text: string): Y.XmlFragment {
  const f = new Y.XmlFragment();
  f.insert(0, paragraphsFromText(text));
  return f;
}

/** Replace the whole content of an integrated fragment, keeping the fragment (editors stay bound). */
export function replaceFragmentText(fragment: Y.XmlFragment, text: string): void {
  pendingHighSurrogate.delete(fragment);
  if (fragment.length > 0) fragment.delete(0, fragment.length);
  // '' leaves the fragment empty (Tiptap shows one empty paragraph itself), so that text streamed
  // afterwards builds exactly the fragment the whole text would.
  if (text.length > 0) fragment.insert(0, paragraphsFromText(text));
}

// toString() would render marks as tags (<bold>…); the delta holds the bare characters.
function deltaText(t: Y.XmlText): string {
  let out = '';
  for (const op of t.toDelta() as { insert?: unknown }[]) {
    if (typeof op.insert === 'string') out += op.insert;
  }
  return out;
}

function inlineText(el: Y.XmlElement | Y.XmlFragment): string {
  let out = '';
  for (const child of el.toArray()) {
    if (child instanceof Y.XmlText) {
      out += deltaText(child);
    } else if (child instanceof Y.XmlElement) {
      if (child.nodeName === HARD_BREAK) out += '\n';
      else out += inlineText(child);
    }
  }
  return out;
}

function collectBlocks(node: Y.XmlElement | Y.XmlFragment, out: string[]): void {
  for (const child of node.toArray()) {
    if (child instanceof Y.XmlElement) {
      if (CONTAINER_NODES.has(child.nodeName)) collectBlocks(child, out);
      else if (child.nodeName === 'horizontalRule') out.push('');
      else out.push(inlineText(child));
    } else if (child instanceof Y.XmlText) {
      // Text directly under a block container is not valid ProseMirror, but never lose characters.
      out.push(deltaText(child));
    }
  }
}

/** The plain text of a prose fragment: paragraphs joined by '\n\n', hard breaks as '\n'. */
export function fragmentToText(fragment: Y.XmlFragment): string {
  const blocks: string[] = [];
  collectBlocks(fragment, blocks);
  return blocks.join(PARAGRAPH_SEPARATOR);
}

/** Index of the last child that is not an empty text node, or -1. */
function lastInlineIndex(p: Y.XmlElement): number {
  for (let i = p.length - 1; i >= 0; i--) {
    const c = p.get(i);
    if (c instanceof Y.XmlText && c.length === 0) continue;
    return i;
  }
  return -1;
}

function lastParagraph(fragment: Y.XmlFragment): Y.XmlElement {
  const last = fragment.length > 0 ? fragment.get(fragment.length - 1) : null;
  if (last instanceof Y.XmlElement && last.nodeName === PARAGRAPH) return last;
  const p = new Y.XmlElement(PARAGRAPH);
  fragment.insert(fragment.length, [p]);
  return p;
}

/**
 * Append generated text to the end of a prose fragment, as an agent streams it. Appending
 * chunks one after the other gives the same fragment as writing their concatenation at once
 * ('\n\n' split across two chunks still makes a paragraph), and only ever inserts at the end,
 * so people editing earlier paragraphs at the same time are never disturbed.
 * A chunk ending in half a surrogate pair holds that half back until the next chunk.
 * Call inside a transaction.
 */

export function appendTextToFragment(fragment: Y.XmlFragment, input: string): void {
  let chunk = (pendingHighSurrogate.get(fragment) ?? '') + input;
  pendingHighSurrogate.delete(fragment);
  if (endsWithHighSurrogate(chunk)) {
    pendingHighSurrogate.set(fragment, chunk.slice(-1));
    chunk = chunk.slice(0, -1);
  }
  chunk = wellFormed(chunk);
  if (chunk.length === 0) return;
  let p = lastParagraph(fragment);
  const parts = chunk.split('\n');
  parts.forEach((part, i) => {
    if (i > 0) {
      const at = lastInlineIndex(p);
      const last = at >= 0 ? p.get(at) : null;
      if (last instanceof Y.XmlElement && last.nodeName === HARD_BREAK) {
        // Second '\n' in a row: the pending hard break was really a paragraph break.
        p.delete(at, p.length - at);
        p = new Y.XmlElement(PARAGRAPH);
        fragment.insert(fragment.length, [p]);
      } else {
        p.insert(p.length, [new Y.XmlElement(HARD_BREAK)]);
      }
    }
    if (part.length === 0) return;
    const last = p.length > 0 ? p.get(p.length - 1) : null;
    // Explicit empty attributes: generated text must not inherit a person's bold/italic at the end.
    if (last instanceof Y.XmlText) last.insert(last.length, part, {});
    else p.insert(p.length, [new Y.XmlText(part)]);
  });
}
