/**
 * The Gemini provider through the real @google/genai SDK against a local server speaking the
 * Gemini REST protocol (tests/support/fake-gemini.ts), with every call written to the
 * generations table of a real database. Each failure mode must end in a clear outcome, in
 * bounded time — never a hang, never an invalid output.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeGemini, systemText, userText, type FakeGemini } from '../../../tests/support/fake-gemini';
import { startTestDatabase, type TestDatabase } from '../../../tests/support/services';
import { AgentError, createOfflineProvider, runPhaseAgent, writeGenerations, type AgentAsset, type GenerationRecord, type PhaseAgentInput } from '../..';
import type { Phase, ConceptOutput } from '../../../schema/phases';
import { createGeminiProvider } from '.';
import type { GeminiClientOptions } from './client';

const mini = readFileSync('/work/shared/fixtures/stories/ja-mini.txt', 'utf8');
const injection = readFileSync('/work/shared/fixtures/stories/bad/injection.txt', 'utf8');

const CONCEPT: ConceptOutput = {
  logline: '屋上で紙飛行機を飛ばす二人の物語',
  theme: '夢',
  genre: '日常',
  tone: '希望に満ちた',
  world: '現代の学校',
  setting: '校舎の屋上、夕焼け',
  keywords: ['紙飛行機', '屋上'],
  synopsis: 'ケンは屋上で空を見ていた。\n\nミキが「飛べると思う？」と聞き、ケンは紙飛行機を投げる。それは夕焼けの中をどこまでも飛んでいった。',
};

let fake: FakeGemini;
let db: TestDatabase;
let projectId: string;

beforeAll(async () => {
  [fake, db] = await Promise.all([startFakeGemini(), startTestDatabase()]);
  const [user] = await db.sql<{ id: string }[]>`INSERT INTO users (email, name, password_hash) VALUES ('agent-test@example.com', 'Agent Test', 'x') RETURNING id`;
  const [project] = await db.sql<{ id: string }[]>`INSERT INTO projects (owner_id, title, language, reading_direction) VALUES (${user.id}, 'fake gemini', 'ja', 'rtl') RETURNING id`;
  projectId = project.id;
});

afterAll(async () => {
  await fake?.close();
  await db?.stop();
});

beforeEach(() => {
  fake.reset();
  fake.respond = () => ({ kind: 'status', status: 500, message: 'unscripted' });
});

function provider(over: Partial<GeminiClientOptions> = {}) {
  return createGeminiProvider({
    apiKey: 'test-key',
    baseUrl: fake.url,
    textModel: 'gemini-2.5-flash',
    imageModel: 'gemini-2.5-flash-image',
    prices: { inputPer1k: 0.045, outputPer1k: 0.375, perImage: 5.85 },
    timeoutMs: 5_000,
    maxAttempts: 3,
    baseDelayMs: 50,
    maxDelayMs: 200,
    ...over,
  });
}

interface Run {
  rows: GenerationRecord[];
  deltas: string[];
}

function input(phase: Phase, over: Partial<PhaseAgentInput> = {}): PhaseAgentInput {
  return { phase, sourceText: mini, language: 'ja', readingDirection: 'rtl', pageFormat: 'B5', upstream: {}, seed: 1, ...over };
}

async function run<P extends Phase>(phase: P, p: ReturnType<typeof provider>, over: Partial<PhaseAgentInput> = {}, opts: { stream?: boolean; signal?: AbortSignal; assets?: Map<string, AgentAsset> } = {}) {
  const r: Run = { rows: [], deltas: [] };
  const jobId = `job-${phase}-${Math.random().toString(36).slice(2, 8)}`;
  try {
    const result = await runPhaseAgent(phase, input(phase, over), {
      provider: p,
      signal: opts.signal ?? new AbortController().signal,
      onProgress: () => {},
      onText: opts.stream ? (_field, delta) => r.deltas.push(delta) : undefined,
      recordGeneration: (row) => r.rows.push(row),
      projectId,
      jobId,
      loadAsset: opts.assets ? async (id) => opts.assets?.get(id) ?? null : undefined,
    });
    return { ...r, result, error: null as unknown, jobId };
  } catch (error) {
    return { ...r, result: null, error, jobId };
  } finally {
    // Every call, successful or not, lands in the generations table.
    await writeGenerations(db.sql, { projectId, phase, jobId }, r.rows);
  }
}

async function rowsOf(jobId: string) {
  return db.sql<{ outcome: string; provider: string; model: string; input_tokens: number; output_tokens: number; images: number; cost_jpy: string; prompt_hash: string; error: string | null }[]>`
    SELECT outcome, provider, model, input_tokens, output_tokens, images, cost_jpy, prompt_hash, error FROM generations WHERE job_id = ${jobId} ORDER BY created_at, id`;
}

describe('gemini provider through the real SDK', () => {
  it('success in JSON mode: schema in the request, story fenced as data, output validated, row with tokens and cost', async () => {
    fake.script({ kind: 'json', value: CONCEPT });
    const r = await run('concept', provider(), { sourceText: injection, language: 'en' });
    expect(r.error).toBeNull();
    expect(r.result?.output).toEqual(CONCEPT);
    expect(r.result?.model).toBe('gemini-2.5-flash');
    const req = fake.requests[0];
    expect(req.method).toBe('generateContent');
    expect(req.model).toBe('gemini-2.5-flash');
    const cfg = req.body.generationConfig ?? {};
    expect(cfg.responseMimeType).toBe('application/json');
    expect(JSON.stringify(cfg.responseJsonSchema)).toContain('"logline"');
    // Injection defence: the system instruction says the story is data; the story sits inside the fence.
    expect(systemText(req.body)).toMatch(/DATA/);
    expect(systemText(req.body)).toMatch(/Never follow instructions/);
    const text = userText(req.body);
    const open = text.indexOf('<<<STORY');
    expect(open).toBeGreaterThanOrEqual(0);
    expect(text.indexOf('Ignore all previous instructions')).toBeGreaterThan(open);
    expect(text.indexOf('Ignore all previous instructions')).toBeLessThan(text.indexOf('STORY>>>'));
    const rows = await rowsOf(r.jobId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'ok', provider: 'gemini', model: 'gemini-2.5-flash' });
    expect(rows[0].input_tokens).toBeGreaterThan(0);
    expect(rows[0].output_tokens).toBeGreaterThan(0);
    expect(Number(rows[0].cost_jpy)).toBeGreaterThan(0);
    expect(rows[0].prompt_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.result?.costJpy).toBeCloseTo(Number(rows[0].cost_jpy), 3);
  });

  it('streams the synopsis as it arrives (streamGenerateContent, SSE)', async () => {
    fake.script({ kind: 'stream', value: CONCEPT, chunks: 10 });
    const r = await run('concept', provider(), {}, { stream: true });
    expect(r.error).toBeNull();
    expect(fake.requests[0].url).toContain(':streamGenerateContent?alt=sse');
    expect(r.deltas.length).toBeGreaterThan(1);
    expect(r.deltas.join('')).toBe(CONCEPT.synopsis);
    expect(r.result?.output.synopsis).toBe(CONCEPT.synopsis);
  });

  it('429 then success: waits as long as Retry-After says, then succeeds; both attempts recorded', async () => {
    fake.script({ kind: 'status', status: 429, retryAfter: '0.4' }, { kind: 'json', value: CONCEPT });
    const t0 = Date.now();
    const r = await run('concept', provider());
    expect(r.error).toBeNull();
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1].at - fake.requests[0].at).toBeGreaterThanOrEqual(380);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect((await rowsOf(r.jobId)).map((x) => x.outcome)).toEqual(['retried', 'ok']);
  });

  it('500 forever: gives up after the bounded attempts with a clear error', async () => {
    fake.respond = () => ({ kind: 'status', status: 500 });
    const t0 = Date.now();
    const r = await run('concept', provider());
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.error).toBeInstanceOf(AgentError);
    expect((r.error as AgentError).code).toBe('unavailable');
    expect((r.error as Error).message).toMatch(/HTTP 500 3 times/);
    expect(fake.requests).toHaveLength(3);
    const rows = await rowsOf(r.jobId);
    expect(rows.map((x) => x.outcome)).toEqual(['retried', 'retried', 'error']);
    expect(rows[2].error).toMatch(/500/);
  });

  it('a 400 is not retried', async () => {
    fake.script({ kind: 'status', status: 400, message: 'bad model' });
    const r = await run('concept', provider());
    expect((r.error as AgentError).code).toBe('provider');
    expect(fake.requests).toHaveLength(1);
  });

  it('malformed JSON: one repair round fixes it', async () => {
    fake.script({ kind: 'malformed' }, { kind: 'json', value: CONCEPT });
    const r = await run('concept', provider());
    expect(r.error).toBeNull();
    expect(r.result?.output).toEqual(CONCEPT);
    expect(userText(fake.requests[1].body)).toMatch(/not valid/);
    expect((await rowsOf(r.jobId)).map((x) => x.outcome)).toEqual(['invalid', 'ok']);
  });

  it('malformed twice (or valid JSON of the wrong shape): a clear error, nothing returned', async () => {
    fake.script({ kind: 'malformed' }, { kind: 'json', value: { logline: 42 } });
    const r = await run('concept', provider());
    expect(r.result).toBeNull();
    expect((r.error as AgentError).code).toBe('malformed');
    expect((r.error as Error).message).toMatch(/malformed output for concept twice/);
    expect((await rowsOf(r.jobId)).map((x) => x.outcome)).toEqual(['invalid', 'invalid']);
  });

  it('safety block (prompt or candidate): a clear error, not retried', async () => {
    fake.script({ kind: 'blocked', prompt: true });
    const r = await run('concept', provider());
    expect((r.error as AgentError).code).toBe('blocked');
    expect((r.error as Error).message).toMatch(/refused.*SAFETY/);
    expect(fake.requests).toHaveLength(1);
    expect((await rowsOf(r.jobId)).map((x) => x.outcome)).toEqual(['blocked']);

    fake.reset();
    fake.script({ kind: 'blocked', reason: 'PROHIBITED_CONTENT' });
    const r2 = await run('concept', provider());
    expect((r2.error as AgentError).code).toBe('blocked');
    expect((r2.error as Error).message).toMatch(/PROHIBITED_CONTENT/);
  });

  it('a server that never answers hits the per-call timeout, bounded', async () => {
    fake.respond = () => ({ kind: 'hang' });
    const t0 = Date.now();
    const r = await run('concept', provider({ timeoutMs: 300, maxAttempts: 2 }));
    expect(Date.now() - t0).toBeLessThan(3_000);
    expect((r.error as AgentError).code).toBe('timeout');
    expect((await rowsOf(r.jobId)).map((x) => x.outcome)).toEqual(['retried', 'error']);
  });

  it('cancelling a run stops the call at once', async () => {
    fake.respond = () => ({ kind: 'hang' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const t0 = Date.now();
    const r = await run('concept', provider(), {}, { signal: ac.signal });
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect((r.error as AgentError).code).toBe('cancelled');
    expect((await rowsOf(r.jobId)).map((x) => x.outcome)).toEqual(['cancelled']);
  });

  it('phase 2: a cast and one reference sheet per character (a blocked sheet leaves that one without)', async () => {
    const cast = [
      { name: 'ケン', aliases: [], role: 'protagonist', look: '短い髪の少年', personality: '前向き', speechStyle: 'くだけた口調', color: '#2e86ab' },
      { name: 'ミキ', aliases: [], role: 'deuteragonist', look: '長い髪の少女', personality: '好奇心旺盛', speechStyle: '問いかける', color: 'red' },
    ];
    fake.script({ kind: 'json', value: { cast } }, { kind: 'image' }, { kind: 'blocked', reason: 'IMAGE_SAFETY' });
    const r = await run('characters', provider());
    expect(r.error).toBeNull();
    const out = r.result?.output;
    expect(out?.cast.map((c) => c.name)).toEqual(['ケン', 'ミキ']);
    expect(out?.cast[1].color).toMatch(/^#[0-9a-f]{6}$/i); // "red" replaced by a palette colour
    expect(out?.cast[0].referenceAssetId).toBe(r.result?.assets?.[0].id);
    expect(out?.cast[1].referenceAssetId).toBeNull();
    expect(fake.requests[1].model).toBe('gemini-2.5-flash-image');
    expect((fake.requests[1].body.generationConfig ?? {}).responseModalities).toContain('IMAGE');
    const rows = await rowsOf(r.jobId);
    expect(rows.map((x) => x.outcome)).toEqual(['ok', 'ok', 'blocked']);
    expect(rows[1].images).toBe(1);
    expect(Number(rows[1].cost_jpy)).toBeGreaterThanOrEqual(5.85);
  });

  it('phase 5: one image per panel, with the character reference sheets sent inline', async () => {
    // The name and characters come from the offline engine; the sheets are "stored" assets.
    const offline = createOfflineProvider();
    const ctx = { provider: offline, signal: new AbortController().signal, onProgress: () => {}, recordGeneration: () => {} };
    const assets = new Map<string, AgentAsset>();
    const chars = await runPhaseAgent('characters', input('characters'), ctx);
    for (const a of chars.assets ?? []) assets.set(a.id, a);
    const name = await runPhaseAgent('name', input('name', { upstream: { characters: chars.output } }), ctx);
    const panels = name.output.pages.flatMap((p) => p.panels);
    fake.respond = () => ({ kind: 'image' });
    const r = await run('scenes', provider(), { upstream: { characters: chars.output, name: name.output } }, { assets });
    expect(r.error).toBeNull();
    expect(r.result?.output.panels).toHaveLength(panels.length);
    expect(fake.requests).toHaveLength(panels.length);
    const withFigures = fake.requests.filter((q) => (q.body.contents?.[0]?.parts ?? []).some((p) => p.inlineData?.data));
    expect(withFigures.length).toBe(panels.filter((p) => p.characters.length > 0).length);
    // Each panel asks for an image of its own shape.
    expect(fake.requests.every((q) => typeof (q.body.generationConfig?.imageConfig as { aspectRatio?: string } | undefined)?.aspectRatio === 'string')).toBe(true);
    expect(r.result?.output.panels.every((s) => s.model === 'gemini-2.5-flash-image')).toBe(true);
    const rows = await rowsOf(r.jobId);
    expect(rows).toHaveLength(panels.length);
    expect(rows.every((x) => x.outcome === 'ok' && x.images === 1)).toBe(true);
    expect(r.result?.costJpy).toBeGreaterThanOrEqual(5.85 * panels.length);
  });

  it('phases 3, 4 and 6 through Gemini produce outputs the engine can lay out and letter', async () => {
    const offline = createOfflineProvider();
    const ctx = { provider: offline, signal: new AbortController().signal, onProgress: () => {}, recordGeneration: () => {} };
    const characters = (await runPhaseAgent('characters', input('characters'), ctx)).output;
    fake.script({
      kind: 'stream',
      value: {
        structure: 'kishotenketsu',
        outline: '起：屋上。\n\n承：問い。\n\n転：投げる。\n\n結：飛んでいく。',
        beats: [
          { act: 'ki', title: '屋上', summary: 'ケンが空を見る', pageBudget: 1, sourceStart: 0, sourceEnd: 17 },
          { act: 'sho', title: '問い', summary: 'ミキが聞く', pageBudget: 1, sourceStart: 17, sourceEnd: 42 },
          { act: 'ten', title: '答え', summary: 'ケンが答える', pageBudget: 1, sourceStart: 42, sourceEnd: 60 },
          { act: 'ketsu', title: '飛翔', summary: '紙飛行機が飛ぶ', pageBudget: 1, sourceStart: 60, sourceEnd: 99_999 },
        ],
      },
    });
    const plot = await run('plot', provider(), { upstream: { characters } }, { stream: true });
    expect(plot.error).toBeNull();
    expect(plot.deltas.join('')).toContain('起：屋上。');
    expect(plot.result?.output.beats[3].sourceSpan).toBeNull(); // an offset past the text is dropped, not trusted
    const shot = (s: string, who: string[], d: string) => ({ beatId: 'b1', shot: s, camera: 'eye', importance: 0.5, characters: who, description: d, reveal: false });
    fake.script({ kind: 'json', value: { shots: [shot('establishing', [], '屋上'), shot('medium', ['c2'], 'ミキ'), shot('closeup', ['c1', 'ghost'], 'ケン'), shot('wide', ['c1'], '飛ぶ')] } });
    const name = await run('name', provider(), { upstream: { characters, plot: plot.result?.output } });
    expect(name.error).toBeNull();
    const panels = name.result?.output.pages.flatMap((p) => p.panels) ?? [];
    expect(panels).toHaveLength(4);
    expect(panels.flatMap((p) => p.characters)).not.toContain('ghost');
    fake.script({
      kind: 'json',
      value: {
        lines: [
          { panelId: panels[1].id, speakerId: 'c2', kind: 'speech', text: 'ねえ、本当に飛べると思う？' },
          { panelId: panels[2].id, speakerId: 'c1', kind: 'speech', text: '飛べるさ。' },
          { panelId: 'panel-nowhere', speakerId: 'c1', kind: 'speech', text: '消える行' },
        ],
      },
    });
    const dialogue = await run('dialogue', provider(), { upstream: { characters, plot: plot.result?.output, name: name.result?.output } });
    expect(dialogue.error).toBeNull();
    expect(dialogue.result?.output.lines.map((l) => l.text)).toEqual(['ねえ、本当に飛べると思う？', '飛べるさ。']);
    expect(dialogue.result?.output.balloons.length).toBe(2);
  });

  it('the whole seven-phase chain on Gemini (fake), with every call in the generations table', async () => {
    fake.respond = (req) => {
      const sys = systemText(req.body);
      if (req.model === 'gemini-2.5-flash-image') return { kind: 'image' };
      if (sys.includes('concept agent')) return { kind: 'json', value: CONCEPT };
      if (sys.includes('character designer'))
        return { kind: 'json', value: { cast: [
          { name: 'ケン', aliases: [], role: 'protagonist', look: '少年', personality: '前向き', speechStyle: 'くだけた', color: '#2e86ab' },
          { name: 'ミキ', aliases: [], role: 'deuteragonist', look: '少女', personality: '好奇心', speechStyle: '問いかけ', color: '#e4572e' },
        ] } };
      if (sys.includes('story editor'))
        return { kind: 'json', value: { structure: 'kishotenketsu', outline: '起承転結', beats: [
          { act: 'ki', title: '屋上', summary: '空', pageBudget: 1, sourceStart: 0, sourceEnd: 17 },
          { act: 'ketsu', title: '飛ぶ', summary: '紙飛行機', pageBudget: 1, sourceStart: 17, sourceEnd: 80 },
        ] } };
      if (sys.includes('storyboard artist'))
        return { kind: 'json', value: { shots: ['establishing', 'medium', 'closeup', 'over-shoulder', 'wide'].map((shot, i) => ({
          beatId: i < 2 ? 'b1' : 'b2', shot, camera: 'eye', importance: shot === 'wide' ? 0.9 : 0.5, characters: i === 0 ? [] : ['c1', 'c2'].slice(0, (i % 2) + 1), description: `panel ${i}`, reveal: false,
        })) } };
      if (sys.includes('letterer')) {
        const ids = [...userText(req.body).matchAll(/^(panel-\S+) \(page/gm)].map((m) => m[1]);
        return { kind: 'json', value: { lines: [
          { panelId: ids[1], speakerId: 'c2', kind: 'speech', text: 'ねえ、本当に飛べると思う？' },
          { panelId: ids[2], speakerId: 'c1', kind: 'speech', text: '飛べるさ。この紙飛行機ならね' },
          { panelId: ids[4], speakerId: null, kind: 'narration', text: '夕焼けの中をどこまでも' },
        ] } };
      }
      return { kind: 'status', status: 400, message: `unexpected request: ${sys.slice(0, 60)}` };
    };
    const p = provider();
    const outputs: Record<string, unknown> = {};
    const assets = new Map<string, AgentAsset>();
    const jobs: string[] = [];
    const upstreamFor: Record<Phase, Phase[]> = { concept: [], characters: ['concept'], plot: ['concept', 'characters'], name: ['characters', 'plot'], scenes: ['characters', 'name'], dialogue: ['characters', 'plot', 'name'], final: ['name', 'scenes', 'dialogue'] };
    for (const phase of ['concept', 'characters', 'plot', 'name', 'scenes', 'dialogue', 'final'] as const) {
      const upstream = Object.fromEntries(upstreamFor[phase].map((u) => [u, outputs[u]]));
      const r = await run(phase, p, { upstream }, { assets });
      expect(r.error, `${phase}: ${String(r.error)}`).toBeNull();
      for (const a of r.result?.assets ?? []) assets.set(a.id, a);
      outputs[phase] = r.result?.output;
      jobs.push(r.jobId);
    }
    const final = outputs.final as { pages: Array<{ assetId: string }>; report: { sceneImages: number } };
    expect(final.pages.length).toBeGreaterThan(0);
    expect(final.report.sceneImages).toBe(5);
    const [totals] = await db.sql<{ calls: number; images: number; cost: string }[]>`
      SELECT count(*)::int AS calls, sum(images)::int AS images, sum(cost_jpy)::text AS cost FROM generations WHERE job_id IN ${db.sql(jobs)}`;
    // 5 text calls, 2 sheets, 5 panels.
    expect(totals.calls).toBe(12);
    expect(totals.images).toBe(7);
    expect(Number(totals.cost)).toBeGreaterThan(7 * 5.85);
  });
});
