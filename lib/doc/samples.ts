/**
 * Small, valid outputs for every phase (schema/phases.ts). Used by the doc tests and handy for
 * anyone who needs a realistic branch without running an agent.
 */
import type { Phase, PhaseOutput } from '../../schema/phases';

export const SAMPLE_OUTPUTS: { [P in Phase]: PhaseOutput<P> } = {
  concept: {
    logline: 'A girl who lends umbrellas finds the boy who never returns them.',
    theme: 'kindness returned',
    genre: 'slice of life',
    tone: 'warm, rainy',
    world: 'a small seaside town',
    setting: 'June, the rainy season',
    keywords: ['umbrella', 'rain', '傘'],
    synopsis: 'Hinata lends umbrellas at the station.\nEvery day one goes missing.\n\nOne evening she follows the boy.\n\n\n雨の日、すみれは笑った。',
  },
  characters: {
    cast: [
      {
        id: 'c-hinata',
        name: '佐倉ひなた',
        aliases: ['Hinata'],
        role: 'protagonist',
        look: 'short hair, yellow raincoat',
        personality: 'earnest',
        speechStyle: 'polite',
        color: '#f2c94c',
        referenceAssetId: null,
      },
      {
        id: 'c-minato',
        name: '黒田湊',
        aliases: [],
        role: 'deuteragonist',
        look: 'tall, wet hair',
        personality: 'quiet',
        speechStyle: 'curt',
        color: '#2d9cdb',
        referenceAssetId: 'asset-123',
      },
    ],
  },
  plot: {
    structure: 'kishotenketsu',
    beats: [
      { id: 'b1', act: 'ki', title: 'The stand', summary: 'Umbrellas at the station.', pageBudget: 2, sourceSpan: [0, 120] },
      { id: 'b2', act: 'sho', title: 'Missing', summary: 'One goes missing each day.', pageBudget: 3, sourceSpan: null },
      { id: 'b3', act: 'ten', title: 'The boy', summary: 'She follows him.', pageBudget: 3, sourceSpan: [300, 420] },
      { id: 'b4', act: 'ketsu', title: 'Returned', summary: 'All umbrellas return.', pageBudget: 2, sourceSpan: [420, 500] },
    ],
    outline: 'Ki: the stand.\n\nSho: missing umbrellas.\nTen: the boy.\n\nKetsu: returned.',
  },
  name: {
    format: 'B5',
    readingDirection: 'rtl',
    pages: [
      {
        index: 0,
        panels: [
          {
            id: 'p0-0',
            order: 0,
            bboxMm: [10, 10, 160, 80],
            bleed: true,
            shot: 'establishing',
            camera: 'high',
            importance: 0.9,
            characters: [],
            faces: [],
            beatId: 'b1',
            description: 'The station in the rain.',
          },
          {
            id: 'p0-1',
            order: 1,
            bboxMm: [90, 95, 80, 90],
            bleed: false,
            shot: 'medium',
            camera: 'eye',
            importance: 0.5,
            characters: ['c-hinata'],
            faces: [{ characterId: 'c-hinata', faceMm: [110, 110, 20, 20], bodyMm: [100, 110, 50, 70] }],
            beatId: 'b1',
            description: 'Hinata at her stand.',
          },
          {
            id: 'p0-2',
            order: 2,
            bboxMm: [10, 95, 75, 90],
            bleed: false,
            shot: 'closeup',
            camera: 'eye',
            importance: 0.6,
            characters: ['c-hinata', 'c-minato'],
            faces: [],
            beatId: null,
            description: '',
          },
        ],
      },
      {
        index: 1,
        panels: [
          {
            id: 'p1-0',
            order: 0,
            bboxMm: [10, 10, 160, 230],
            bleed: false,
            shot: 'full',
            camera: 'low',
            importance: 1,
            characters: ['c-minato'],
            faces: [],
            beatId: 'b3',
            description: 'The boy, soaked.',
          },
        ],
      },
    ],
  },
  scenes: {
    panels: [
      { panelId: 'p0-0', assetId: 'asset-a', prompt: 'station in rain, high angle', seed: 42, model: 'offline-1' },
      { panelId: 'p0-1', assetId: null, prompt: 'girl at umbrella stand', seed: -7, model: 'offline-1' },
    ],
  },
  dialogue: {
    lines: [
      { id: 'l1', panelId: 'p0-1', speakerId: 'c-hinata', kind: 'speech', text: '傘、どうぞ！', order: 0 },
      { id: 'l2', panelId: 'p0-0', speakerId: null, kind: 'narration', text: 'June.', order: 0 },
    ],
    balloons: [
      {
        id: 'bl1',
        lineId: 'l1',
        panelId: 'p0-1',
        order: 0,
        kind: 'speech',
        speakerId: 'c-hinata',
        text: '傘、どうぞ！',
        bboxMm: [140, 100, 18, 40],
        tailTipMm: [120, 115],
        columns: ['傘、', 'どうぞ！'],
        vertical: true,
        fontSizeMm: 3.5,
      },
      {
        id: 'bl2',
        lineId: 'l2',
        panelId: 'p0-0',
        order: 0,
        kind: 'narration',
        speakerId: null,
        text: 'June.',
        bboxMm: [150, 12, 15, 20],
        tailTipMm: null,
        columns: ['June.'],
        vertical: false,
        fontSizeMm: 3,
      },
    ],
    issues: [{ lineId: 'l2', panelId: 'p0-0', code: 'too-long', message: 'fine really' }],
  },
  final: {
    pages: [
      { index: 0, assetId: 'asset-page-0', width: 2150, height: 3035 },
      { index: 1, assetId: null, width: 2150, height: 3035 },
    ],
    report: { score: 0.92, metrics: { M1: { value: 1, ok: true }, M2: [1, 2, 3] }, fixed: ['rebalanced page 2'], note: null },
  },
};
