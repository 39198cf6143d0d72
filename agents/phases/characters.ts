/**
 * Phase 2: the cast, each with a reference sheet image (the provider draws or generates it).
 * A sheet the provider refuses (safety) leaves that character without a reference rather than
 * failing the whole cast; any other failure fails the run.
 */
import type { Character } from '../../schema/phases';
import { AgentError, type AgentAsset, type PhaseAgent } from '../types';
import { callOf, checkCancelled, makeAsset, revisingOf, storyOf, upstreamOf, validateOutput } from './common';

export const charactersAgent: PhaseAgent<'characters'> = async (input, ctx) => {
  const story = storyOf(input);
  const concept = upstreamOf(input, 'concept');
  const call = callOf('characters', ctx);
  ctx.onProgress(0.05, 'Finding the cast');
  const draft = await ctx.provider.characters({ story, concept, feedback: input.feedback, revising: revisingOf(input, 'characters') }, call);
  // Validate the cast before spending anything on images.
  const cards = validateOutput('characters', draft.value);
  const assets: AgentAsset[] = [];
  const models = new Set([draft.model]);
  const cast: Character[] = [];
  for (const [i, c] of cards.cast.entries()) {
    checkCancelled(ctx);
    ctx.onProgress(0.2 + (0.75 * i) / cards.cast.length, `Drawing a reference sheet for ${c.name}`);
    // A kept reference from the revised branch stays: people may have chosen it.
    if (c.referenceAssetId) {
      cast.push(c);
      continue;
    }
    try {
      const img = await ctx.provider.characterSheet({ story, character: c, index: i, concept }, call);
      const asset = makeAsset(ctx, img);
      if (!assets.some((a) => a.id === asset.id)) assets.push(asset);
      models.add(img.model);
      cast.push({ ...c, referenceAssetId: asset.id });
    } catch (error) {
      if (error instanceof AgentError && error.code === 'blocked') cast.push({ ...c, referenceAssetId: null });
      else throw error;
    }
  }
  return { output: validateOutput('characters', { cast }), model: [...models].join(' + '), costJpy: 0, assets };
};
