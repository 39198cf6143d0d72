/**
 * The seven phases in process with the offline provider, as the CLI runs them: each phase gets
 * the outputs of its PHASE_INPUTS, every output validates, every asset an output refers to was
 * returned, and the book comes out with a quality report.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PHASES, PHASE_INPUTS, phaseOutputSchemas, type Phase } from '../schema/phases';
import { ASSET_ID_PATTERN } from '../lib/assets/store';
import { AgentError, createOfflineProvider, PhaseOutputInvalidError, regenerateScenePanel, runPhaseAgent, type AgentAsset, type GenerationRecord, type PhaseAgentInput } from '.';
import { validateOutput } from './phases/common';

const mini = readFileSync('/work/shared/fixtures/stories/ja-mini.txt', 'utf8');

async function runChain(text: string, seed: number) {
  const provider = createOfflineProvider();
  const outputs: Partial<Record<Phase, unknown>> = {};
  const assets = new Map<string, AgentAsset>();
  const rows: GenerationRecord[] = [];
  const streamed: string[] = [];
  const progress: number[] = [];
  for (const phase of PHASES) {
    const upstream: Record<string, unknown> = {};
    for (const up of PHASE_INPUTS[phase]) upstream[up] = outputs[up];
    const input: PhaseAgentInput = { phase, sourceText: text, language: 'ja', readingDirection: 'rtl', pageFormat: 'B5', upstream, seed };
    const r = await runPhaseAgent(phase, input, {
      provider,
      signal: new AbortController().signal,
      onProgress: (f) => progress.push(f),
      onText: (field, delta) => streamed.push(`${field}:${delta}`),
      recordGeneration: (row) => rows.push(row),
      projectId: '00000000-0000-4000-8000-000000000001',
      loadAsset: async (id) => assets.get(id) ?? null,
    });
    expect(phaseOutputSchemas[phase].safeParse(r.output).success).toBe(true);
    expect(r.costJpy).toBe(0);
    for (const a of r.assets ?? []) {
      expect(a.id).toMatch(ASSET_ID_PATTERN);
      assets.set(a.id, a);
    }
    outputs[phase] = r.output;
  }
  return { outputs, assets, rows, streamed, progress };
}

describe('the offline seven-phase chain', () => {
  it('turns ja-mini into a validated book', async () => {
    const { outputs, assets, rows, streamed, progress } = await runChain(mini, 3);
    const characters = validateOutput('characters', outputs.characters);
    for (const c of characters.cast) expect(assets.has(c.referenceAssetId ?? '')).toBe(true);
    const name = validateOutput('name', outputs.name);
    const panelIds = name.pages.flatMap((p) => p.panels.map((x) => x.id));
    expect(name.readingDirection).toBe('rtl');
    expect(panelIds.length).toBeGreaterThanOrEqual(3);
    const scenes = validateOutput('scenes', outputs.scenes);
    expect(scenes.panels.map((s) => s.panelId)).toEqual(panelIds);
    for (const s of scenes.panels) expect(assets.get(s.assetId ?? '')?.mime).toBe('image/png');
    const dialogue = validateOutput('dialogue', outputs.dialogue);
    // Both quoted lines are in the script, with their speakers.
    const byText = (t: string) => dialogue.lines.find((l) => l.text.startsWith(t));
    expect(characters.cast.find((c) => c.id === byText('ねえ、本当に')?.speakerId)?.name).toBe('ミキ');
    expect(characters.cast.find((c) => c.id === byText('飛べるさ')?.speakerId)?.name).toBe('ケン');
    expect(dialogue.balloons.length).toBe(dialogue.lines.length - dialogue.issues.filter((i) => i.code === 'no-position').length);
    const final = validateOutput('final', outputs.final);
    expect(final.pages.length).toBe(name.pages.length);
    for (const p of final.pages) expect(assets.get(p.assetId ?? '')?.mime).toMatch(/^image\//);
    expect(final.report).toHaveProperty('quality');
    expect(final.report).toHaveProperty('fixes');
    // Accounting, streaming, progress.
    expect(rows.every((r) => r.provider === 'offline' && r.costJpy === 0)).toBe(true);
    expect(streamed.some((s) => s.startsWith('synopsis:'))).toBe(true);
    expect(streamed.some((s) => s.startsWith('outline:'))).toBe(true);
    expect(progress.every((f) => f >= 0 && f <= 1)).toBe(true);
  });

  it('regenerates one panel alone: same seed → same picture, feedback → a different one', async () => {
    const { outputs } = await runChain(mini, 5);
    const scenes = validateOutput('scenes', outputs.scenes);
    const panelId = scenes.panels[1].panelId;
    const input: PhaseAgentInput = { phase: 'scenes', sourceText: mini, language: 'ja', readingDirection: 'rtl', pageFormat: 'B5', upstream: { characters: outputs.characters as never, name: outputs.name as never }, seed: 5 };
    const ctx = { provider: createOfflineProvider(), signal: new AbortController().signal, onProgress: () => {}, recordGeneration: () => {}, projectId: '00000000-0000-4000-8000-000000000001' };
    const again = await regenerateScenePanel(input, panelId, ctx);
    expect(again.scene).toEqual(scenes.panels[1]);
    const other = await regenerateScenePanel({ ...input, feedback: 'more rain' }, panelId, ctx);
    expect(other.asset.id).not.toBe(again.asset.id);
    await expect(regenerateScenePanel(input, 'panel-nope', ctx)).rejects.toThrow(/not in the active name/);
  });

  it('phase 7 re-paginates a name whose page breaks 3–7 panels and reports what it fixed', async () => {
    const kasa = readFileSync('/work/shared/fixtures/stories/ja-kasa.txt', 'utf8');
    const provider = createOfflineProvider();
    const ctx = { provider, signal: new AbortController().signal, onProgress: () => {}, recordGeneration: () => {} };
    const input = (phase: Phase, upstream: PhaseAgentInput['upstream']): PhaseAgentInput => ({ phase, sourceText: kasa, language: 'ja', readingDirection: 'rtl', pageFormat: 'B5', upstream, seed: 2 });
    const characters = (await runPhaseAgent('characters', input('characters', {}), ctx)).output;
    const plot = (await runPhaseAgent('plot', input('plot', { characters }), ctx)).output;
    const name = (await runPhaseAgent('name', input('name', { characters, plot }), ctx)).output;
    // Someone dragged every panel of the first two pages onto page 1.
    const merged = { ...name, pages: [{ index: 0, panels: [...name.pages[0].panels, ...name.pages[1].panels.map((p) => ({ ...p, order: p.order + name.pages[0].panels.length }))] }, ...name.pages.slice(2).map((p, i) => ({ ...p, index: i + 1 }))] };
    expect(merged.pages[0].panels.length).toBeGreaterThan(7);
    const dialogue = (await runPhaseAgent('dialogue', input('dialogue', { characters, plot, name: merged }), ctx)).output;
    const final = (await runPhaseAgent('final', input('final', { name: merged, dialogue }), ctx)).output;
    const report = final.report as { fixes: Array<{ kind: string }>; quality: { summary: Array<{ id: string; pass: boolean }> } };
    expect(report.fixes.map((f) => f.kind)).toContain('repaginate');
    // The book exports print: re-paginated, every balloon on a panel of it.
    expect(final.book?.name.pages.every((p) => p.panels.length >= 3 && p.panels.length <= 7)).toBe(true);
    expect(final.pages.length).toBe(final.book?.name.pages.length);
    const panelIds = new Set(final.book?.name.pages.flatMap((p) => p.panels.map((x) => x.id)));
    expect(final.book?.balloons.every((b) => panelIds.has(b.panelId))).toBe(true);
    expect(report.quality.summary.find((m) => m.id === 'M7')?.pass).toBe(true);
  });

  it('is deterministic for a seed', async () => {
    const a = await runChain(mini, 11);
    const b = await runChain(mini, 11);
    expect(b.outputs).toEqual(a.outputs);
    expect([...b.assets.keys()].sort()).toEqual([...a.assets.keys()].sort());
  });
});

describe('runPhaseAgent contract', () => {
  const base = (over: Partial<PhaseAgentInput> = {}): PhaseAgentInput => ({ phase: 'concept', sourceText: mini, language: 'ja', readingDirection: 'rtl', pageFormat: 'B5', upstream: {}, seed: 1, ...over });
  const ctx = (signal = new AbortController().signal) => ({ provider: createOfflineProvider(), signal, onProgress: () => {}, recordGeneration: () => {} });

  it('rejects an empty story with a clear error', async () => {
    await expect(runPhaseAgent('concept', base({ sourceText: '  \n\t ' }), ctx())).rejects.toThrow(/story is empty/);
  });

  it('rejects an upstream branch that does not match its schema', async () => {
    const err = await runPhaseAgent('plot', base({ phase: 'plot', upstream: { characters: { cast: 'nope' } as never } }), ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as AgentError).code).toBe('invalid-input');
  });

  it('never returns an output that fails its schema', async () => {
    const broken = { ...createOfflineProvider(), concept: async () => ({ value: { logline: 1 } as never, model: 'x' }) };
    await expect(runPhaseAgent('concept', base(), { ...ctx(), provider: broken })).rejects.toBeInstanceOf(PhaseOutputInvalidError);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(runPhaseAgent('concept', base(), ctx(ac.signal))).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('builds a missing upstream instead of failing (phase skipped)', async () => {
    const r = await runPhaseAgent('name', base({ phase: 'name' }), ctx());
    expect(r.output.pages.length).toBeGreaterThan(0);
  });
});
