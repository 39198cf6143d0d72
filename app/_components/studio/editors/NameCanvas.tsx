'use client';
/**
 * The name (storyboard) on a tldraw canvas, bound two-way to the shared doc.
 *
 * Source of truth: the branch's YKeyValue of canvas records (lib/doc/canvas.ts). tldraw's own
 * store is a projection of it:
 *  - doc → canvas: on every YKeyValue change the koma shapes are reconciled with the records
 *    inside `mergeRemoteChanges`, so the echo is marked 'remote' and not written back;
 *  - canvas → doc: `store.listen({ source: 'user' })` turns a moved/resized/deleted panel into
 *    a write of that one record (a drag writes one record, never the whole canvas).
 * Only koma shapes exist here: anything else a shortcut creates is removed at once, because
 * it would live nowhere in the doc.
 */
import { getAssetUrls } from '@tldraw/assets/selfHosted';
import { useEffect, useRef } from 'react';
import {
  BaseBoxShapeUtil,
  Box,
  HTMLContainer,
  T,
  Tldraw,
  createShapeId,
  type Editor,
  type RecordProps,
  type TLBaseShape,
  type TLShape,
  type TLShapeId,
  type TLShapePartial,
} from 'tldraw';
import 'tldraw/tldraw.css';
import type { YKeyValue } from 'y-utility/y-keyvalue';
import { canvasRecords, panelKey, type CanvasPanelRecord, type CanvasRecord } from '../../../../lib/doc/canvas';
import { bboxFromBox, nearestPage, pageIndexByKey, pageOrigin, panelBox, PX_PER_MM, type TrimMm } from './name-canvas-model';

type PanelProps = {
  w: number;
  h: number;
  panelKey: string;
  order: number;
  shot: string;
  camera: string;
  notes: string;
  rtl: boolean;
  bleed: boolean;
};
type PageProps = { w: number; h: number; label: string };

declare module 'tldraw' {
  interface TLGlobalShapePropsMap {
    'koma-panel': PanelProps;
    'koma-page': PageProps;
  }
}

type KomaPanelShape = TLBaseShape<'koma-panel', PanelProps>;
type KomaPageShape = TLBaseShape<'koma-page', PageProps>;

class KomaPanelUtil extends BaseBoxShapeUtil<KomaPanelShape> {
  static override type = 'koma-panel' as const;
  static override props: RecordProps<KomaPanelShape> = {
    w: T.nonZeroNumber,
    h: T.nonZeroNumber,
    panelKey: T.string,
    order: T.number,
    shot: T.string,
    camera: T.string,
    notes: T.string,
    rtl: T.boolean,
    bleed: T.boolean,
  };
  getDefaultProps(): PanelProps {
    return { w: 120, h: 90, panelKey: '', order: 0, shot: 'medium', camera: 'eye', notes: '', rtl: true, bleed: false };
  }
  override hideRotateHandle() {
    return true;
  }
  override canEdit() {
    return false;
  }
  component(shape: KomaPanelShape) {
    const p = shape.props;
    return (
      <HTMLContainer
        data-testid="koma-panel"
        data-panel-key={p.panelKey}
        data-order={p.order}
        style={{
          border: '2.5px solid #111',
          background: 'rgba(255,255,255,0.92)',
          color: '#111',
          fontFamily: 'system-ui, sans-serif',
          overflow: 'hidden',
          pointerEvents: 'all',
        }}
      >
        <div
          aria-hidden="true"
          style={{
            position: 'absolute',
            top: 4,
            [p.rtl ? 'right' : 'left']: 4,
            width: 26,
            height: 26,
            borderRadius: 13,
            background: '#5b4bff',
            color: '#fff',
            display: 'grid',
            placeItems: 'center',
            fontWeight: 800,
            fontSize: 14,
          }}
        >
          {p.order + 1}
        </div>
        <div style={{ position: 'absolute', top: 6, [p.rtl ? 'left' : 'right']: 6, fontSize: 11, fontWeight: 700, color: '#333' }}>
          {p.shot}
          {p.camera && p.camera !== 'eye' ? ` · ${p.camera}` : ''}
        </div>
        <div style={{ position: 'absolute', left: 8, right: 8, top: 36, bottom: 6, fontSize: 11, lineHeight: 1.35, color: '#222', overflow: 'hidden' }}>
          {p.notes}
        </div>
      </HTMLContainer>
    );
  }
  getIndicatorPath(shape: KomaPanelShape) {
    const path = new Path2D();
    path.rect(0, 0, shape.props.w, shape.props.h);
    return path;
  }
}

class KomaPageUtil extends BaseBoxShapeUtil<KomaPageShape> {
  static override type = 'koma-page' as const;
  static override props: RecordProps<KomaPageShape> = { w: T.nonZeroNumber, h: T.nonZeroNumber, label: T.string };
  getDefaultProps(): PageProps {
    return { w: 546, h: 771, label: '' };
  }
  override canResize() {
    return false;
  }
  override hideRotateHandle() {
    return true;
  }
  component(shape: KomaPageShape) {
    return (
      <HTMLContainer data-testid="koma-page" style={{ background: '#f4f1ea', boxShadow: '0 6px 24px rgba(0,0,0,.5)' }}>
        <div style={{ position: 'absolute', top: -26, left: 0, color: '#ddd', fontSize: 14, fontWeight: 700 }}>{shape.props.label}</div>
      </HTMLContainer>
    );
  }
  getIndicatorPath(shape: KomaPageShape) {
    const path = new Path2D();
    path.rect(0, 0, shape.props.w, shape.props.h);
    return path;
  }
}

const SHAPE_UTILS = [KomaPanelUtil, KomaPageUtil];
const ASSET_URLS = getAssetUrls({ baseUrl: '/tldraw' });

const panelShapeId = (key: string): TLShapeId => createShapeId(key.replace(/[^a-zA-Z0-9_-]/g, '_'));
const pageShapeId = (key: string): TLShapeId => createShapeId(`pg_${key.replace(/[^a-zA-Z0-9_-]/g, '_')}`);
const near = (a: number, b: number) => Math.abs(a - b) < 0.05;

export interface NameCanvasProps {
  kv: YKeyValue<CanvasRecord>;
  trim: TrimMm;
  direction: 'rtl' | 'ltr';
  editable: boolean;
  pageLabel: (n: number) => string;
  onSelect: (panelKeys: string[]) => void;
  /** Panels selected outside the canvas (the keyboard-reachable panel list). */
  selected: string[];
  onEditor?: (editor: Editor | null) => void;
}

export default function NameCanvas({ kv, trim, direction, editable, pageLabel, onSelect, selected, onEditor }: NameCanvasProps) {
  const editorRef = useRef<Editor | null>(null);
  // Latest props for the long-lived listeners installed once at mount.
  const latest = useRef({ trim, direction, pageLabel, onSelect });
  latest.current = { trim, direction, pageLabel, onSelect };

  useEffect(() => {
    editorRef.current?.updateInstanceState({ isReadonly: !editable });
  }, [editable]);

  // Mirror a selection made in the panel list onto the canvas (and bring it into view).
  useEffect(() => {
    const editor = editorRef.current;
    if (!editor) return;
    const ids = selected.map(panelShapeId).filter((id) => editor.getShape(id));
    const current = editor.getSelectedShapeIds();
    if (ids.length === current.length && ids.every((id) => current.includes(id))) return;
    editor.setSelectedShapes(ids);
    const bounds = editor.getSelectionPageBounds();
    if (bounds && ids.length) editor.centerOnPoint(bounds.center, { animation: { duration: 150 } });
  }, [selected]);

  function reconcile(editor: Editor) {
    const { trim, direction, pageLabel } = latest.current;
    const records = canvasRecords(kv.yarray as never);
    const pages = pageIndexByKey(records);
    const wanted = new Map<TLShapeId, TLShapePartial>();
    for (const [key, index] of pages) {
      const o = pageOrigin(index, trim, direction);
      wanted.set(pageShapeId(key), {
        id: pageShapeId(key),
        type: 'koma-page',
        x: o.x,
        y: o.y,
        isLocked: true,
        props: { w: trim.w * PX_PER_MM, h: trim.h * PX_PER_MM, label: pageLabel(index + 1) },
      } as TLShapePartial);
    }
    for (const [key, rec] of records) {
      if (rec?.kind !== 'panel' || !Array.isArray(rec.bboxMm)) continue;
      const index = pages.get(rec.page) ?? 0;
      const b = panelBox(rec, index, trim, direction);
      wanted.set(panelShapeId(key), {
        id: panelShapeId(key),
        type: 'koma-panel',
        x: b.x,
        y: b.y,
        props: {
          w: Math.max(1, b.w),
          h: Math.max(1, b.h),
          panelKey: key,
          order: rec.order,
          shot: rec.shot ?? '',
          camera: rec.camera ?? '',
          notes: rec.description ?? '',
          rtl: direction === 'rtl',
          bleed: rec.bleed === true,
        },
      } as TLShapePartial);
    }
    const existing = editor.getCurrentPageShapes().filter((s) => s.type === 'koma-panel' || s.type === 'koma-page');
    const toCreate: TLShapePartial[] = [];
    const toUpdate: TLShapePartial[] = [];
    const toDelete: TLShapeId[] = [];
    const seen = new Set<TLShapeId>();
    for (const s of existing) {
      const w = wanted.get(s.id);
      if (!w) {
        toDelete.push(s.id);
        continue;
      }
      seen.add(s.id);
      const props = (w.props ?? {}) as Record<string, unknown>;
      const cur = s.props as unknown as Record<string, unknown>;
      const same =
        near(s.x, w.x ?? 0) &&
        near(s.y, w.y ?? 0) &&
        Object.entries(props).every(([k, v]) => (typeof v === 'number' ? near(Number(cur[k]), v) : cur[k] === v));
      if (!same) toUpdate.push(w);
    }
    for (const [id, w] of wanted) if (!seen.has(id)) toCreate.push(w);
    if (!toCreate.length && !toUpdate.length && !toDelete.length) return;
    // tldraw refuses shape writes while read-only; the doc's changes must still show for viewers.
    const readonly = editor.getIsReadonly();
    if (readonly) editor.updateInstanceState({ isReadonly: false });
    try {
      applyChanges(editor, toCreate, toUpdate, toDelete);
    } finally {
      if (readonly) editor.updateInstanceState({ isReadonly: true });
    }
  }

  function applyChanges(editor: Editor, toCreate: TLShapePartial[], toUpdate: TLShapePartial[], toDelete: TLShapeId[]) {
    editor.store.mergeRemoteChanges(() => {
      editor.run(
        () => {
          if (toDelete.length) editor.deleteShapes(toDelete);
          // Locked pages must be updated with locks ignored; pages first so panels sit on top.
          const pagesFirst = (a: TLShapePartial, b: TLShapePartial) => (a.type === b.type ? 0 : a.type === 'koma-page' ? -1 : 1);
          if (toCreate.length) editor.createShapes(toCreate.sort(pagesFirst) as never);
          if (toUpdate.length) editor.updateShapes(toUpdate as never);
          const pageIds = editor.getCurrentPageShapes().filter((s) => s.type === 'koma-page').map((s) => s.id);
          if (toCreate.some((s) => s.type === 'koma-page')) editor.sendToBack(pageIds);
        },
        { ignoreShapeLock: true },
      );
    });
  }

  /** A panel changed by this user on the canvas → its record in the doc. */
  function writeBack(editor: Editor, shape: TLShape) {
    const { trim, direction } = latest.current;
    if (shape.type !== 'koma-panel') return;
    const props = shape.props as unknown as PanelProps;
    const key = props.panelKey;
    const rec = kv.get(key);
    if (!rec || rec.kind !== 'panel') return;
    const records = canvasRecords(kv.yarray as never);
    const pages = pageIndexByKey(records);
    // A panel dragged onto another page moves to that page.
    const centre = shape.x + props.w / 2;
    const target = nearestPage(centre, pages, trim, direction) ?? { key: rec.page, index: pages.get(rec.page) ?? 0 };
    const bboxMm = bboxFromBox({ x: shape.x, y: shape.y, w: props.w, h: props.h }, target.index, trim, direction);
    const prev = rec.bboxMm;
    if (target.key === rec.page && prev && bboxMm.every((v, i) => Math.abs(v - prev[i]) < 0.01)) return;
    const next: CanvasPanelRecord = { ...rec, page: target.key, bboxMm };
    kv.set(key, next);
  }

  function onMount(editor: Editor) {
    editorRef.current = editor;
    onEditor?.(editor);
    editor.updateInstanceState({ isReadonly: !editable });
    reconcile(editor);
    // Open on the first spread (pages 1–2), the way a book opens; the whole board is one click away.
    const spread = [pageShapeId('page:0'), pageShapeId('page:1')]
      .map((id) => editor.getShapePageBounds(id))
      .filter((b): b is Box => !!b);
    if (spread.length) editor.zoomToBounds(Box.Common(spread), { inset: 32 });
    else editor.zoomToFit();
    const onKv = () => reconcile(editor);
    kv.on('change', onKv);
    const stopDoc = editor.store.listen(
      ({ changes }) => {
        kv.doc.transact(() => {
          for (const [, to] of Object.values(changes.updated)) {
            if (to.typeName === 'shape') writeBack(editor, to as TLShape);
          }
          for (const rec of Object.values(changes.removed)) {
            if (rec.typeName === 'shape' && (rec as TLShape).type === 'koma-panel') {
              const key = ((rec as TLShape).props as unknown as PanelProps).panelKey;
              if (kv.get(key)) kv.delete(key);
            }
          }
        }, 'koma:canvas');
        // Shapes that do not belong in a name (a stray draw/text shortcut): not in the doc, so not on the canvas.
        const stray = Object.values(changes.added)
          .filter((r) => r.typeName === 'shape' && (r as TLShape).type !== 'koma-panel' && (r as TLShape).type !== 'koma-page')
          .map((r) => r.id as TLShapeId);
        if (stray.length) editor.deleteShapes(stray);
        // A duplicated panel would share its record: put the doc's state back.
        if (Object.values(changes.added).some((r) => r.typeName === 'shape' && (r as TLShape).type === 'koma-panel')) {
          queueMicrotask(() => reconcile(editor));
        }
      },
      { source: 'user', scope: 'document' },
    );
    const stopSel = editor.store.listen(
      () => {
        const keys = editor
          .getSelectedShapes()
          .filter((s) => s.type === 'koma-panel')
          .map((s) => (s.props as unknown as PanelProps).panelKey);
        latest.current.onSelect(keys);
      },
      { scope: 'session' },
    );
    return () => {
      kv.off('change', onKv);
      stopDoc();
      stopSel();
      editorRef.current = null;
      onEditor?.(null);
    };
  }

  return (
    <Tldraw
      shapeUtils={SHAPE_UTILS}
      assetUrls={ASSET_URLS}
      licenseKey={process.env.NEXT_PUBLIC_TLDRAW_LICENSE_KEY}
      hideUi
      colorScheme="dark"
      onMount={onMount}
    />
  );
}

export { panelKey };
