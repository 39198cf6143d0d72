/**
 * Phase 5: one scene image per panel. `renderScenePanel` draws or generates one panel alone, so
 * a worker can fan out one job per panel or regenerate a single panel.
 */
import type { CharactersOutput, ConceptOutput, NameOutput, NamePanel, ScenesOutput } from '../../schema/phases';
import type { ReferenceImage, StoryInput } from '../providers/provider-types';
import { AgentError, type AgentAsset, type PhaseAgent, type PhaseAgentContext, type PhaseAgentInput } from '../types';
import { callOf, checkCancelled, makeAsset, mapLimit, mixSeed, storyOf, upstreamOf, validateOutput } from './common';
import { planName } from './name';

export interface ScenePanelRequest {
  story: StoryInput;
  panel: NamePanel;
  pageIndex: number;
  characters: CharactersOutput;
  concept?: ConceptOutput;
  feedback?: string;
}

export interface ScenePanelResult {
  scene: ScenesOutput['panels'][number];
  asset: AgentAsset;
}

/** Reference sheets of the characters in the panel, when the caller can load assets. */
async function referencesFor(panel: NamePanel, characters: CharactersOutput, ctx: PhaseAgentContext): Promise<ReferenceImage[]> {
  if (!ctx.loadAsset) return [];
  const out: ReferenceImage[] = [];
  for (const id of panel.characters.slice(0, 3)) {
    const ref = characters.cast.find((c) => c.id === id)?.referenceAssetId;
    if (!ref) continue;
    const loaded = await ctx.loadAsset(ref);
    if (loaded) out.push({ characterId: id, bytes: loaded.bytes, mime: loaded.mime });
  }
  return out;
}

export async function renderScenePanel(req: ScenePanelRequest, ctx: PhaseAgentContext): Promise<ScenePanelResult> {
  checkCancelled(ctx);
  const seed = mixSeed(req.story.seed, req.panel.id);
  const references = await referencesFor(req.panel, req.characters, ctx);
  const img = await ctx.provider.sceneImage(
    { story: req.story, panel: req.panel, pageIndex: req.pageIndex, characters: req.characters, concept: req.concept, references, seed, feedback: req.feedback },
    callOf('scenes', ctx),
  );
  const asset = makeAsset(ctx, img);
  return { asset, scene: { panelId: req.panel.id, assetId: asset.id, prompt: img.prompt.slice(0, 50_000), seed, model: img.model } };
}

export const scenesAgent: PhaseAgent<'scenes'> = async (input, ctx) => {
  const base = storyOf(input);
  // A feedback re-run draws different pictures of the same panels.
  const story = input.feedback ? { ...base, seed: mixSeed(base.seed, input.feedback) } : base;
  const call = callOf('scenes', ctx);
  const characters = upstreamOf(input, 'characters') ?? (await ctx.provider.characters({ story }, call)).value;
  const name: NameOutput = upstreamOf(input, 'name') ?? (await planName(input, ctx)).output;
  const concept = upstreamOf(input, 'concept');
  const panels = name.pages.flatMap((p) => [...p.panels].sort((a, b) => a.order - b.order).map((panel) => ({ panel, pageIndex: p.index })));
  let done = 0;
  // Two at a time: image APIs are slow per call; the offline renderer is CPU-bound anyway.
  const results = await mapLimit(panels, ctx.provider.name === 'gemini' ? 3 : 1, async ({ panel, pageIndex }) => {
    const r = await renderScenePanel({ story, panel, pageIndex, characters, concept, feedback: input.feedback }, ctx);
    done++;
    ctx.onProgress(done / Math.max(1, panels.length), `Drew panel ${done} of ${panels.length}`);
    return r;
  });
  const assets = new Map<string, AgentAsset>();
  for (const r of results) assets.set(r.asset.id, r.asset);
  const models = [...new Set(results.map((r) => r.scene.model))];
  return {
    output: validateOutput('scenes', { panels: results.map((r) => r.scene) }),
    model: models.join(' + ') || 'none',
    costJpy: 0,
    assets: [...assets.values()],
  };
};

/**
 * Regenerate one panel of a run alone (a worker's per-panel job, or "regenerate this panel"):
 * the same inputs as the scenes phase, one panel id. Cost is summed from what it recorded.
 */
export async function regenerateScenePanel(input: PhaseAgentInput, panelId: string, ctx: PhaseAgentContext): Promise<ScenePanelResult & { costJpy: number }> {
  const story = storyOf(input);
  const characters = upstreamOf(input, 'characters') ?? (await ctx.provider.characters({ story }, callOf('scenes', ctx))).value;
  const name = upstreamOf(input, 'name');
  if (!name) throw new AgentError('invalid-input', 'There is no name (phase 4) to draw a panel of: run phase 4 first.');
  const page = name.pages.find((p) => p.panels.some((x) => x.id === panelId));
  const panel = page?.panels.find((x) => x.id === panelId);
  if (!page || !panel) throw new AgentError('invalid-input', `Panel ${panelId} is not in the active name.`);
  let cost = 0;
  const counted: PhaseAgentContext = { ...ctx, recordGeneration: (row) => { cost += row.costJpy; ctx.recordGeneration(row); } };
  // A feedback re-run draws a different picture of the same panel.
  const seeded = input.feedback ? { ...story, seed: mixSeed(story.seed, input.feedback) } : story;
  const r = await renderScenePanel({ story: seeded, panel, pageIndex: page.index, characters, concept: upstreamOf(input, 'concept'), feedback: input.feedback }, counted);
  return { ...r, costJpy: cost };
}
