/**
 * The offline provider: the whole pipeline without a network or a key, deterministic for
 * (story, seed). It reads the story (analysis.ts) and draws procedurally (draw.ts). Each step is
 * recorded as a zero-cost generation, so the generations table tells offline runs apart.
 */
import { createHash } from 'node:crypto';
import type { DialogueLine } from '../../../lib/engine/types';
import type { CharactersOutput, Character, ConceptOutput } from '../../../schema/phases';
import type { Draft, ImageDraft } from '../../types';
import type { AgentProvider, ProviderCall } from '../provider-types';
import { analyzeStory, type StoryAnalysis } from './analysis';
import { deriveCharacters } from './characters';
import { deriveConcept } from './concept';
import { drawCharacterSheet, drawScenePanel } from './draw';
import { mapCast, planShots, splitLine, type Cue } from './shots';
import type { StoryInput } from '../provider-types';
import { applyCastDirectives, applyConceptDirectives, directives, structureDirective } from './feedback';
import { planBeats } from './beats';

export const OFFLINE_MODEL = 'koma-offline-1';

function record(call: ProviderCall, label: string, started: number, images = 0): void {
  call.record({
    provider: 'offline',
    model: OFFLINE_MODEL,
    promptHash: createHash('sha256').update(label).digest('hex'),
    inputTokens: 0,
    outputTokens: 0,
    images,
    costJpy: 0,
    durationMs: Math.round(performance.now() - started),
    outcome: 'ok',
  });
}

function analysis(story: StoryInput): StoryAnalysis {
  return analyzeStory(story.text, story.language);
}

function storyKey(story: StoryInput, step: string): string {
  return `${step}\0${story.seed}\0${createHash('sha256').update(story.text).digest('hex')}`;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('cancelled');
}

/** Keep what people edited on a revised branch for characters that are still in the cast. */
function mergeRevision(fresh: CharactersOutput, revising: CharactersOutput | undefined): CharactersOutput {
  if (!revising?.cast?.length) return fresh;
  const cast: Character[] = fresh.cast.map((c) => {
    const old = revising.cast.find((r) => r.name === c.name || r.aliases.includes(c.name) || c.aliases.includes(r.name));
    return old ? { ...c, id: old.id, look: old.look || c.look, personality: old.personality || c.personality, speechStyle: old.speechStyle || c.speechStyle, color: old.color, referenceAssetId: old.referenceAssetId } : c;
  });
  return { cast };
}

/**
 * Lines for the panels of a name. Panels made from our own shot plan (`panel-<shotId>` with the
 * same description) get exactly their cues; lines whose panel is gone, or a name drawn by hand
 * or by another provider, go to panels in reading order, preferring panels that show the speaker.
 */
export function linesForName(a: StoryAnalysis, cues: Map<string, Cue[]>, shotsById: Map<string, string>, panels: Array<{ id: string; characters: string[]; description: string }>, mapId: (id: string | null) => string | null, ja: boolean): DialogueLine[] {
  const out: DialogueLine[] = [];
  const placed = new Set<string>();
  const perPanel = new Map<string, number>();
  const add = (panelId: string, c: Cue) => {
    const order = perPanel.get(panelId) ?? 0;
    perPanel.set(panelId, order + 1);
    out.push({ id: `l${String(out.length + 1).padStart(3, '0')}`, panelId, speakerId: c.speakerId, kind: c.kind, text: c.text, order });
  };
  const cueKey = (c: Cue) => `${c.quote ?? 'n'}:${c.text}`;
  let matched = 0;
  for (const p of panels) {
    const shotId = p.id.startsWith('panel-') ? p.id.slice(6) : p.id;
    const desc = shotsById.get(shotId);
    if (desc === undefined || desc !== p.description) continue;
    matched++;
    for (const c of cues.get(shotId) ?? []) {
      add(p.id, c);
      placed.add(cueKey(c));
    }
  }
  // What is left: every speech line not placed yet, in story order, spread over the panels.
  const rest: Cue[] = [];
  if (matched === 0) {
    for (const l of a.lines) {
      const q = a.story.quotes[l.quote];
      for (const t of splitLine(q.text, ja)) rest.push({ kind: /[！!]{2}|^.{1,12}[！!]$/.test(t) ? 'shout' : 'speech', text: t, speakerId: mapId(l.speakerId), quote: q.index });
    }
  } else {
    for (const list of cues.values()) for (const c of list) if (c.quote !== null && !placed.has(cueKey(c))) rest.push(c);
  }
  if (rest.length && panels.length) {
    let cursor = 0;
    rest.forEach((c, i) => {
      // Monotone: line i goes at or after the panel of line i-1, near its proportional place.
      const target = Math.max(cursor, Math.min(panels.length - 1, Math.floor((i * panels.length) / rest.length)));
      let pick = target;
      for (let k = target; k < Math.min(panels.length, target + 3); k++) {
        if (c.speakerId && panels[k].characters.includes(c.speakerId)) {
          pick = k;
          break;
        }
      }
      cursor = pick;
      add(panels[pick].id, c);
    });
  }
  // Script order within a panel follows the story: re-number by the order they were added.
  return out;
}

export function createOfflineProvider(): AgentProvider {
  return {
    name: 'offline',

    async concept(req, call): Promise<Draft<ConceptOutput>> {
      const t0 = performance.now();
      const a = analysis(req.story);
      // A re-run from a branch keeps what people wrote there; explicit directives apply on top.
      const value = applyConceptDirectives(req.revising ?? deriveConcept(a.story, a.cast, a.beats), directives(req.feedback));
      // Streaming is part of the contract: offline "writes" the synopsis paragraph by paragraph.
      if (call.onText) for (const part of value.synopsis.split(/(?<=\n\n)/)) call.onText('synopsis', part);
      record(call, storyKey(req.story, 'concept'), t0);
      return { value, model: OFFLINE_MODEL };
    },

    async characters(req, call) {
      const t0 = performance.now();
      const a = analysis(req.story);
      const value = applyCastDirectives(mergeRevision(deriveCharacters(a, req.story.seed), req.revising), directives(req.feedback));
      record(call, storyKey(req.story, 'characters'), t0);
      return { value, model: OFFLINE_MODEL };
    },

    async characterSheet(req, call): Promise<ImageDraft> {
      throwIfAborted(call.signal);
      const t0 = performance.now();
      const img = await drawCharacterSheet(req.character, req.story.seed);
      record(call, storyKey(req.story, `sheet:${req.character.id}`), t0, 1);
      return { ...img, model: OFFLINE_MODEL };
    },

    async plot(req, call) {
      const t0 = performance.now();
      const a = analysis(req.story);
      const wanted = structureDirective(directives(req.feedback));
      const planned = wanted && wanted !== a.structure ? { structure: wanted, beats: planBeats(a.story, wanted).beats } : { structure: a.structure, beats: a.beats };
      const value = {
        structure: planned.structure,
        beats: planned.beats.map((b) => ({ id: b.id, act: b.act, title: b.title, summary: b.summary, pageBudget: b.pageBudget, sourceSpan: b.span })),
        outline: planned.beats.map((b) => `${b.title}\n${b.summary}`).join('\n\n'),
      };
      if (call.onText) for (const part of value.outline.split(/(?<=\n\n)/)) call.onText('outline', part);
      record(call, storyKey(req.story, 'plot'), t0);
      return { value, model: OFFLINE_MODEL };
    },

    async shots(req, call) {
      const t0 = performance.now();
      const a = analysis(req.story);
      const plan = planShots(a, req.characters, req.plot, req.story.seed);
      record(call, storyKey(req.story, 'shots'), t0);
      return { value: plan.shots, model: OFFLINE_MODEL };
    },

    async sceneImage(req, call): Promise<ImageDraft> {
      throwIfAborted(call.signal);
      const t0 = performance.now();
      // Scenes are built from characters and the name only; the setting comes from the concept
      // when the caller has it, else from reading the story again (cached).
      const a = analysis(req.story);
      const concept = req.concept ?? deriveConcept(a.story, a.cast, a.beats);
      const setting = [concept.setting, ...concept.keywords].join(' ');
      const img = await drawScenePanel({ panel: req.panel, cast: req.characters.cast, setting, seed: req.seed });
      record(call, storyKey(req.story, `scene:${req.panel.id}:${req.seed}`), t0, 1);
      return { ...img, model: OFFLINE_MODEL };
    },

    async dialogue(req, call) {
      const t0 = performance.now();
      const a = analysis(req.story);
      const plan = planShots(a, req.characters, req.plot, req.story.seed);
      const shotsById = new Map(plan.shots.map((s) => [s.id, s.description ?? '']));
      const idMap = mapCast(a, req.characters);
      const panels = req.name.pages.flatMap((p) => [...p.panels].sort((x, y) => x.order - y.order));
      const value = linesForName(a, plan.cues, shotsById, panels, (id) => (id ? (idMap.get(id) ?? null) : null), a.story.language === 'ja');
      record(call, storyKey(req.story, 'dialogue'), t0);
      return { value, model: OFFLINE_MODEL };
    },
  };
}
