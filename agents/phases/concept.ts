/** Phase 1: the concept (theme, genre, tone, world, setting, keywords, logline, synopsis). */
import type { PhaseAgent } from '../types';
import { callOf, revisingOf, storyOf, validateOutput } from './common';

export const conceptAgent: PhaseAgent<'concept'> = async (input, ctx) => {
  const story = storyOf(input);
  ctx.onProgress(0.1, 'Reading the story');
  const draft = await ctx.provider.concept({ story, feedback: input.feedback, revising: revisingOf(input, 'concept') }, callOf('concept', ctx));
  ctx.onProgress(0.95, 'Checking the concept');
  return { output: validateOutput('concept', draft.value), model: draft.model, costJpy: 0 };
};
