/** Phase 3: beats (three acts or kishōtenketsu) with page budgets and spans into the source. */
import type { PhaseAgent } from '../types';
import { callOf, revisingOf, storyOf, upstreamOf, validateOutput } from './common';

export const plotAgent: PhaseAgent<'plot'> = async (input, ctx) => {
  const story = storyOf(input);
  const call = callOf('plot', ctx);
  const concept = upstreamOf(input, 'concept');
  ctx.onProgress(0.05, 'Reading the cast');
  const characters = upstreamOf(input, 'characters') ?? (await ctx.provider.characters({ story, concept }, call)).value;
  ctx.onProgress(0.2, 'Finding the beats');
  const draft = await ctx.provider.plot({ story, concept, characters, feedback: input.feedback, revising: revisingOf(input, 'plot') }, call);
  // Spans must point into this text: a model may hallucinate offsets; drop the ones that cannot be true.
  const beats = draft.value.beats.map((b) => {
    const span = b.sourceSpan;
    const ok = span !== null && span[0] <= span[1] && span[1] <= story.text.length;
    return { ...b, sourceSpan: ok ? span : null };
  });
  ctx.onProgress(0.95, 'Checking the outline');
  return { output: validateOutput('plot', { ...draft.value, beats }), model: draft.model, costJpy: 0 };
};
