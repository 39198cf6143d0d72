/**
 * Shared plumbing of the phase agents: schema validation (an output that fails is thrown, never
 * returned), upstream parsing, provider call context, content-addressed asset ids.
 */
import { assetIdFor, contentHash } from '../../lib/assets/store';
import { phaseOutputSchemas, type Phase, type PhaseOutput } from '../../schema/phases';
import type { ProviderCall, StoryInput } from '../providers/provider-types';
import { AgentError, PhaseOutputInvalidError, type AgentAsset, type PhaseAgentContext, type PhaseAgentInput } from '../types';

export function validateOutput<P extends Phase>(phase: P, value: unknown): PhaseOutput<P> {
  const parsed = phaseOutputSchemas[phase].safeParse(value);
  if (!parsed.success) {
    throw new PhaseOutputInvalidError(
      phase,
      parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  return parsed.data as PhaseOutput<P>;
}

/** The active upstream branch of `phase`, checked against its schema; undefined when absent. */
export function upstreamOf<P extends Phase>(input: PhaseAgentInput, phase: P): PhaseOutput<P> | undefined {
  const raw = (input.upstream as Record<string, unknown>)[phase];
  if (raw === undefined || raw === null) return undefined;
  const parsed = phaseOutputSchemas[phase].safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new AgentError('invalid-input', `The active ${phase} branch cannot be used: ${first ? `${first.path.join('.')}: ${first.message}` : 'it does not match its schema'}. Fix or re-run ${phase} first.`);
  }
  return parsed.data as PhaseOutput<P>;
}

/** The branch being revised, if it is a valid output of this phase (else it is ignored). */
export function revisingOf<P extends Phase>(input: PhaseAgentInput, phase: P): PhaseOutput<P> | undefined {
  if (input.revising === undefined || input.revising === null) return undefined;
  const parsed = phaseOutputSchemas[phase].safeParse(input.revising);
  return parsed.success ? (parsed.data as PhaseOutput<P>) : undefined;
}

export function storyOf(input: PhaseAgentInput): StoryInput {
  if (typeof input.sourceText !== 'string' || !input.sourceText.trim()) {
    throw new AgentError('invalid-input', 'The story is empty: paste or upload a story before running the agents.');
  }
  return {
    text: input.sourceText,
    language: input.language,
    readingDirection: input.readingDirection,
    pageFormat: input.pageFormat,
    seed: Number.isFinite(input.seed) ? Math.trunc(input.seed) : 0,
  };
}

export function callOf(phase: Phase, ctx: PhaseAgentContext): ProviderCall {
  return { phase, signal: ctx.signal, record: ctx.recordGeneration, onText: ctx.onText };
}

export function checkCancelled(ctx: PhaseAgentContext): void {
  if (ctx.signal.aborted) throw new AgentError('cancelled', 'The run was cancelled.');
}

export function makeAsset(ctx: PhaseAgentContext, img: { bytes: Uint8Array; mime: string; width: number; height: number }): AgentAsset {
  return { id: assetIdFor(ctx.projectId ?? null, contentHash(img.bytes)), mime: img.mime, bytes: img.bytes, width: img.width, height: img.height };
}

/** A stable per-item seed from the run's seed and a label (a panel id). */
export function mixSeed(seed: number, label: string): number {
  let h = (2166136261 ^ seed) >>> 0;
  for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
  return (h >>> 0) % 2_147_483_647;
}

/** Runs `fn` over items with at most `limit` at a time, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return out;
}
