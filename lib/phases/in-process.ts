/**
 * All seven phases in this process, on the same project document model the studio edits: each
 * phase's result becomes an adopted branch, and the next phase reads it from there. No
 * database, Redis or collab-server. Used by the headless CLI and the pipeline benchmark.
 */
import * as Y from 'yjs';
import { runPhaseAgent, type AgentAsset, type AgentProvider } from '../../agents';
import { activeBasedOn, adoptBranch, createBranch, createSeedUpdate, effectiveActive, readBranchContent } from '../doc/project-doc';
import type { Language, PageFormatName, ReadingDirection } from '../engine/types';
import { PHASES, PHASE_INPUTS, type Phase, type PhaseOutput } from '../../schema/phases';
import type { BookSources } from './book';

export interface InProcessRun {
  title: string;
  sourceText: string;
  language: Language;
  readingDirection: ReadingDirection;
  pageFormat: PageFormatName;
  seed: number;
  provider: AgentProvider;
  onProgress?: (phase: Phase, fraction: number, message: string) => void;
  onPhaseDone?: (phase: Phase, ms: number) => void;
  signal?: AbortSignal;
}

export interface InProcessResult {
  doc: Y.Doc;
  sources: BookSources;
  assets: Map<string, AgentAsset>;
  timingsMs: Partial<Record<Phase, number>>;
  costJpy: number;
}

const LOCAL_PROJECT_ID = '00000000-0000-4000-8000-000000000000';

export async function runAllPhases(run: InProcessRun): Promise<InProcessResult> {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, createSeedUpdate({ projectId: LOCAL_PROJECT_ID, title: run.title, language: run.language, readingDirection: run.readingDirection, pageFormat: run.pageFormat, sourceText: run.sourceText }));
  const assets = new Map<string, AgentAsset>();
  const timingsMs: Partial<Record<Phase, number>> = {};
  const signal = run.signal ?? new AbortController().signal;
  let costJpy = 0;
  const read = <P extends Phase>(p: P): PhaseOutput<P> | undefined => {
    const id = effectiveActive(doc, p);
    return id ? readBranchContent(doc, p, id) : undefined;
  };

  for (const phase of PHASES) {
    const started = performance.now();
    const upstream: Partial<{ [P in Phase]: PhaseOutput<P> }> = {};
    for (const up of PHASE_INPUTS[phase]) (upstream as Record<string, unknown>)[up] = read(up);
    const result = await runPhaseAgent(
      phase,
      { phase, sourceText: run.sourceText, language: run.language, readingDirection: run.readingDirection, pageFormat: run.pageFormat, upstream, seed: run.seed },
      {
        provider: run.provider,
        signal,
        onProgress: (fraction, message) => run.onProgress?.(phase, fraction, message),
        recordGeneration: () => {},
        loadAsset: async (id) => {
          const asset = assets.get(id);
          return asset ? { bytes: asset.bytes, mime: asset.mime } : null;
        },
      },
    );
    for (const asset of result.assets ?? []) assets.set(asset.id, asset);
    const branchId = `local-${phase}`;
    createBranch(doc, phase, {
      id: branchId,
      origin: { kind: 'agent', id: `agent:${phase}`, name: `${phase} agent` },
      basedOn: activeBasedOn(doc, phase),
      model: result.model,
      seed: run.seed,
      costJpy: result.costJpy,
      content: result.output,
    });
    adoptBranch(doc, phase, branchId);
    costJpy += result.costJpy;
    timingsMs[phase] = Math.round(performance.now() - started);
    run.onPhaseDone?.(phase, timingsMs[phase]!);
  }

  const sources: BookSources = {
    title: run.title,
    language: run.language,
    readingDirection: run.readingDirection,
    pageFormat: run.pageFormat,
    characters: read('characters'),
    name: read('name'),
    dialogue: read('dialogue'),
    scenes: read('scenes'),
    final: read('final'),
  };
  return { doc, sources, assets, timingsMs, costJpy };
}
