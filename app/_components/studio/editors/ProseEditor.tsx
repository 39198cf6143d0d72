'use client';
/**
 * Rich text bound to a shared Y.XmlFragment (a prose field of the active branch) with live
 * carets of everyone else in it. Never `content:` on a collaborative editor: the doc is the
 * content (STACK.md gotcha 1). Read-only roles get a non-editable view of the same live text.
 */
import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect, useId } from 'react';
import type * as Y from 'yjs';
import { useStudio } from '../context';

export function ProseEditor({ fragment, label, editable }: { fragment: Y.XmlFragment; label: string; editable: boolean }) {
  const { workProvider, user } = useStudio();
  const labelId = useId();
  const editor = useEditor(
    {
      immediatelyRender: false,
      editable,
      extensions: [
        StarterKit.configure({ undoRedo: false }),
        Collaboration.configure({ fragment }),
        CollaborationCaret.configure({ provider: workProvider, user }),
      ],
      editorProps: {
        attributes: { 'aria-labelledby': labelId, role: 'textbox', 'aria-multiline': 'true', 'aria-readonly': String(!editable) },
      },
    },
    // A new fragment (another branch) needs a new editor: the binding is per fragment.
    [fragment],
  );
  useEffect(() => {
    editor?.setEditable(editable);
  }, [editor, editable]);
  return (
    <div className="field">
      <span className="label" id={labelId}>
        {label}
      </span>
      <div className="prose-editor" data-readonly={!editable} data-testid="prose-editor">
        <EditorContent editor={editor} />
      </div>
    </div>
  );
}
