/**
 * The contract of a phase agent. A phase agent is a function of the story, the active upstream
 * branches, the feedback and the branch being revised (plus a seed) → an output validated
 * against its schema in schema/phases.ts. Agents never touch the project document or the asset
 * store: they return the output and the new binary assets, and the worker stores both.
 */
import type { Language, PageFormatName, ReadingDirection } from '../lib/engine/types';
import type { Phase, PhaseOutput } from '../schema/phases';
import type { AgentProvider } from './providers/provider-types';

export type { Phase, PhaseOutput };

/** What each upstream phase contributed (the output of its active branch), when there is one. */
export type UpstreamOutputs = { [P in Phase]?: PhaseOutput<P> };

export interface PhaseAgentInput<P extends Phase = Phase> {
  phase: P;
  sourceText: string;
  language: Language;
  readingDirection: ReadingDirection;
  pageFormat: PageFormatName;
  upstream: UpstreamOutputs;
  /** What people asked for when they re-ran the phase. */
  feedback?: string;
  /** The branch being revised (its output), when the run starts from one. */
  revising?: unknown;
  seed: number;
}

/** One row of the `generations` table, without the project/phase/job (the caller knows those). */
export interface GenerationRecord {
  provider: string;
  model: string;
  /** sha256 (hex) of the prompt and its parameters: lets us spot repeated calls without storing prompts. */
  promptHash: string;
  inputTokens: number;
  outputTokens: number;
  images: number;
  costJpy: number;
  durationMs: number;
  outcome: 'ok' | 'error' | 'retried' | 'blocked' | 'invalid' | 'cancelled';
  error?: string | null;
}

export interface PhaseAgentContext {
  provider: AgentProvider;
  /** 0..1 within this phase, with a short human sentence ("Drawing panel 3 of 12"). */
  onProgress: (fraction: number, message: string) => void;
  /** Streaming prose: `field` is one of PROSE_FIELDS[phase]; `delta` is appended to it. */
  onText?: (field: string, delta: string) => void;
  signal: AbortSignal;
  recordGeneration: (row: GenerationRecord) => void;
  projectId?: string;
  jobId?: string;
  /** Lets image phases fetch existing assets (character reference sheets) by id. */
  loadAsset?: (id: string) => Promise<{ bytes: Uint8Array; mime: string } | null>;
}

/** A new binary file the output refers to by `id` (content-addressed, see lib/assets/store). */
export interface AgentAsset {
  id: string;
  mime: string;
  bytes: Uint8Array;
  width: number;
  height: number;
}

export interface PhaseAgentResult<P extends Phase = Phase> {
  output: PhaseOutput<P>;
  /** The model(s) that produced it, e.g. "offline-engine-1" or "gemini-2.5-flash". */
  model: string;
  costJpy: number;
  assets?: AgentAsset[];
}

export type PhaseAgent<P extends Phase> = (input: PhaseAgentInput<P>, ctx: PhaseAgentContext) => Promise<PhaseAgentResult<P>>;

/** What a provider hands back for one generation step. */
export interface Draft<T> {
  value: T;
  model: string;
}

export interface ImageDraft {
  bytes: Uint8Array;
  mime: string;
  width: number;
  height: number;
  prompt: string;
  model: string;
}

export type { AgentProvider };

// ---- errors: each failure a caller can tell apart without parsing messages ----

export class AgentError extends Error {
  constructor(
    readonly code: 'invalid-output' | 'invalid-input' | 'provider' | 'rate-limited' | 'unavailable' | 'blocked' | 'malformed' | 'timeout' | 'cancelled',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AgentError';
  }
}

/** An output that fails its schema: never returned, never written. */
export class PhaseOutputInvalidError extends AgentError {
  constructor(
    readonly phase: Phase,
    readonly issues: string[],
  ) {
    super('invalid-output', `The ${phase} output does not match its schema: ${issues.slice(0, 5).join('; ')}`);
    this.name = 'PhaseOutputInvalidError';
  }
}
