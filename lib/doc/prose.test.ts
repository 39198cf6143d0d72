import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as Y from 'yjs';
import { getSchema } from '@tiptap/core';
import StarterKit from '@tiptap/starter-kit';
import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap';
import { appendTextToFragment, fragmentToText, paragraphsFromText, replaceFragmentText } from './prose';

// The schema the studio's editor uses (StarterKit with Collaboration, so no undo/redo).
const schema = getSchema([StarterKit.configure({ undoRedo: false })]);

const proseText = fc.string({ unit: fc.constantFrom('a', 'b', ' ', '\n', '\n', '雨', '。', '\r', '\t'), maxLength: 60 });

function fragmentOf(text: string): { doc: Y.Doc; frag: Y.XmlFragment } {
  const doc = new Y.Doc();
  const frag = doc.getXmlFragment('f');
  doc.transact(() => frag.insert(0, paragraphsFromText(text)));
  return { doc, frag };
}

describe('prose fragments', () => {
  it('plain text → fragment → plain text is exact (property)', () => {
    fc.assert(
      fc.property(proseText, (text) => {
        expect(fragmentToText(fragmentOf(text).frag)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('is a valid Tiptap StarterKit document, equal to what y-tiptap writes for the same text (property)', () => {
    fc.assert(
      fc.property(proseText, (text) => {
        const { frag } = fragmentOf(text);
        const node = yXmlFragmentToProseMirrorRootNode(frag, schema);
        node.check(); // throws on content that violates the schema
        expect(node.type.name).toBe('doc');
        // Re-encode the ProseMirror doc through y-tiptap itself: the Y shape must be identical.
        const other = new Y.Doc();
        const theirs = other.getXmlFragment('f');
        prosemirrorJSONToYXmlFragment(schema, node.toJSON(), theirs);
        expect(theirs.toJSON()).toBe(frag.toJSON());
        expect(fragmentToText(theirs)).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it('streaming chunks gives the same fragment as writing the whole text (property)', () => {
    fc.assert(
      fc.property(fc.array(proseText, { maxLength: 8 }), (chunks) => {
        const whole = fragmentOf(chunks.join('')).frag;
        const doc = new Y.Doc();
        const frag = doc.getXmlFragment('f');
        for (const c of chunks) doc.transact(() => appendTextToFragment(frag, c));
        expect(fragmentToText(frag)).toBe(chunks.join(''));
        // Same text; an empty stream has no paragraph yet (Tiptap shows an empty one itself).
        if (chunks.join('').length > 0) {
          expect(frag.toJSON()).toBe(whole.toJSON());
          yXmlFragmentToProseMirrorRootNode(frag, schema).check();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reads what people type in Tiptap: marks, headings, lists, quotes', () => {
    const doc = new Y.Doc();
    const frag = doc.getXmlFragment('f');
    prosemirrorJSONToYXmlFragment(
      schema,
      {
        type: 'doc',
        content: [
          { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Act 1' }] },
          { type: 'paragraph', content: [{ type: 'text', text: 'bold', marks: [{ type: 'bold' }] }, { type: 'text', text: ' and ' }, { type: 'hardBreak' }, { type: 'text', text: 'plain' }] },
          { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one' }] }] }, { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'two' }] }] }] },
          { type: 'blockquote', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'quote' }] }] },
          { type: 'horizontalRule' },
          { type: 'codeBlock', content: [{ type: 'text', text: 'x = 1' }] },
        ],
      },
      frag,
    );
    expect(fragmentToText(frag)).toBe('Act 1\n\nbold and \nplain\n\none\n\ntwo\n\nquote\n\n\n\nx = 1');
  });

  it('streamed text does not inherit a person’s formatting at the end', () => {
    const doc = new Y.Doc();
    const frag = doc.getXmlFragment('f');
    doc.transact(() => frag.insert(0, paragraphsFromText('hello')));
    const t = (frag.get(0) as Y.XmlElement).get(0) as Y.XmlText;
    doc.transact(() => t.format(0, 5, { bold: {} }));
    doc.transact(() => appendTextToFragment(frag, ' world'));
    expect(t.toDelta()).toEqual([{ insert: 'hello', attributes: { bold: {} } }, { insert: ' world' }]);
  });

  it('replace keeps the fragment object (a bound editor stays bound)', () => {
    const { doc, frag } = fragmentOf('a\n\nb');
    doc.transact(() => replaceFragmentText(frag, 'c'));
    expect(fragmentToText(frag)).toBe('c');
    expect(doc.getXmlFragment('f')).toBe(frag);
  });

  it('concurrent edits of different paragraphs both survive', () => {
    const { doc: a, frag: fa } = fragmentOf('one\n\ntwo');
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const fb = b.getXmlFragment('f');
    a.transact(() => ((fa.get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(3, '!'));
    b.transact(() => ((fb.get(1) as Y.XmlElement).get(0) as Y.XmlText).insert(0, '2:'));
    b.transact(() => appendTextToFragment(fb, '\n\nthree'));
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(fragmentToText(fa)).toBe('one!\n\n2:two\n\nthree');
    expect(fragmentToText(fb)).toBe(fragmentToText(fa));
  });
});

describe('surrogate pairs', () => {
  it('a stream cut mid-character (emoji, 𠮷) arrives whole on every replica', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    a.on('update', (u: Uint8Array) => Y.applyUpdate(b, u)); // one message per chunk, like a provider
    const frag = a.getXmlFragment('f');
    const text = 'x😀y𠮷\n\nz';
    for (let i = 0; i < text.length; i++) a.transact(() => appendTextToFragment(frag, text[i]));
    expect(fragmentToText(frag)).toBe(text);
    expect(fragmentToText(b.getXmlFragment('f'))).toBe(text);
  });

  it('lone surrogates are replaced before writing, so the writer never differs from the others', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 20 }), (text) => {
        const a = new Y.Doc();
        const b = new Y.Doc();
        a.on('update', (u: Uint8Array) => Y.applyUpdate(b, u));
        a.transact(() => a.getXmlFragment('f').insert(0, paragraphsFromText(text)));
        expect(fragmentToText(b.getXmlFragment('f'))).toBe(fragmentToText(a.getXmlFragment('f')));
      }),
      { numRuns: 200 },
    );
  });
});
