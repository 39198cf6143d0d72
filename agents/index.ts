/**
 * The seven phase agents. `runPhaseAgent(phase, input, ctx)` runs one and returns its validated
 * output, the model(s) used, the cost in JPY (summed from the generations it recorded) and the
 * new binary assets the output refers to by id. Storing assets and writing the branch is the
 * worker's job (queue/run-phase.ts).
 */
import type { Phase } from '../schema/phases';
import { validateOutput } from './phases/common';
import { conceptAgent } from './phases/concept';
import { charactersAgent } from './phases/characters';
import { plotAgent } from './phases/plot';
import { nameAgent } from './phases/name';
import { scenesAgent } from './phases/scenes';
import { dialogueAgent } from './phases/dialogue';
import { finalAgent } from './phases/final';
import { AgentError, type GenerationRecord, type PhaseAgent, type PhaseAgentContext, type PhaseAgentInput, type PhaseAgentResult } from './types';

export * from './types';
export type { ProviderCall, StoryInput } from './providers/provider-types';
export { selectProvider } from './provider';
export { createOfflineProvider } from './providers/offline';
export { createGeminiProvider } from './providers/gemini';
export { renderScenePanel, regenerateScenePanel, type ScenePanelRequest, type ScenePanelResult } from './phases/scenes';
export { writeGenerations } from './generations';

const AGENTS: { [P in Phase]: PhaseAgent<P> } = {
  concept: conceptAgent,
  characters: charactersAgent,
  plot: plotAgent,
  name: nameAgent,
  scenes: scenesAgent,
  dialogue: dialogueAgent,
  final: finalAgent,
};

export async function runPhaseAgent<P extends Phase>(phase: P, input: PhaseAgentInput, ctx: PhaseAgentContext): Promise<PhaseAgentResult<P>> {
  const agent = AGENTS[phase] as PhaseAgent<P> | undefined;
  if (!agent) throw new AgentError('invalid-input', `Unknown phase "${String(phase)}".`);
  let cost = 0;
  const counted: PhaseAgentContext = {
    ...ctx,
    onProgress: (fraction, message) => ctx.onProgress(Math.max(0, Math.min(1, fraction)), message),
    recordGeneration: (row: GenerationRecord) => {
      cost += row.costJpy;
      ctx.recordGeneration(row);
    },
  };
  if (ctx.signal.aborted) throw new AgentError('cancelled', 'The run was cancelled.');
  const result = await agent({ ...input, phase } as PhaseAgentInput<P>, counted);
  if (ctx.signal.aborted) throw new AgentError('cancelled', 'The run was cancelled.');
  // Belt and braces: whatever a phase module did, nothing unvalidated leaves this function.
  const output = validateOutput(phase, result.output);
  counted.onProgress(1, 'Done');
  return { ...result, output, costJpy: Math.round(cost * 10_000) / 10_000 };
}
