/**
 * The smallest valid output of each phase a person can start from by hand (no agent run):
 * valid against schema/phases.ts so the branch can be adopted and built on downstream.
 * Scenes and final are made of rendered images, so they only come from agents.
 */
import type { Phase, PhaseOutput } from '../../schema/phases';
import { pageFormat } from '../../lib/engine/formats';

export type HandPhase = 'concept' | 'characters' | 'plot' | 'name' | 'dialogue';
export const HAND_PHASES: readonly Phase[] = ['concept', 'characters', 'plot', 'name', 'dialogue'];

export const shortId = (prefix: string): string => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

export function blankCharacter(name: string): PhaseOutput<'characters'>['cast'][number] {
  return { id: shortId('c'), name, aliases: [], role: 'supporting', look: '', personality: '', speechStyle: '', color: '#9d8fff', referenceAssetId: null };
}

export function blankBeat(structure: 'three-act' | 'kishotenketsu'): PhaseOutput<'plot'>['beats'][number] {
  return { id: shortId('beat'), act: structure === 'kishotenketsu' ? 'ki' : 'setup', title: '', summary: '', pageBudget: 1, sourceSpan: null };
}

/** One panel filling the page's inner frame (where a hand-drawn name usually starts). */
export function blankPanel(format: string, order: number): PhaseOutput<'name'>['pages'][number]['panels'][number] {
  const f = pageFormat(format);
  return {
    id: shortId('p'),
    order,
    bboxMm: [...f.innerFrameMm] as [number, number, number, number],
    bleed: false,
    shot: 'medium',
    camera: 'eye',
    importance: 0.5,
    characters: [],
    faces: [],
    beatId: null,
    description: '',
  };
}

export function blankOutput(phase: HandPhase, meta: { pageFormat: string; readingDirection: 'rtl' | 'ltr'; language: 'ja' | 'en' }): unknown {
  switch (phase) {
    case 'concept':
      return { logline: '', theme: '', genre: '', tone: '', world: '', setting: '', keywords: [], synopsis: '' };
    case 'characters':
      return { cast: [blankCharacter(meta.language === 'ja' ? '新しい人物' : 'New character')] };
    case 'plot': {
      const structure = meta.language === 'ja' ? 'kishotenketsu' : 'three-act';
      return { structure, beats: [blankBeat(structure)], outline: '' };
    }
    case 'name':
      return {
        format: (['B5', 'A5', 'B6', 'US'] as const).find((f) => f === meta.pageFormat) ?? 'B5',
        readingDirection: meta.readingDirection,
        pages: [{ index: 0, panels: [blankPanel(meta.pageFormat, 0)] }],
      };
    case 'dialogue':
      return { lines: [], balloons: [], issues: [] };
  }
}
