/**
 * The offline engine on the fixture stories: it must really read them — the cast, who says
 * which line (checked against what the text says), beats in text order, valid outputs, the same
 * result for the same seed, and injected "instructions" handled as plain story text.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { phaseOutputSchemas } from '../../../schema/phases';
import { analyzeStory } from './analysis';
import { deriveCharacters } from './characters';
import { deriveConcept } from './concept';
import { createOfflineProvider } from '.';
import type { ProviderCall, StoryInput } from '../provider-types';
import type { GenerationRecord } from '../../types';

const FIXTURES = '/work/shared/fixtures/stories';
const read = (f: string) => readFileSync(`${FIXTURES}/${f}`, 'utf8');
const kasa = read('ja-kasa.txt');
const lighthouse = read('en-lighthouse.txt');
const mini = read('ja-mini.txt');
const injection = read('bad/injection.txt');

function speakerOf(text: string, quoteStart: string): string | null {
  const a = analyzeStory(text);
  const q = a.story.quotes.find((x) => x.text.startsWith(quoteStart));
  if (!q) throw new Error(`no quote starting ${quoteStart}`);
  const id = a.lines.find((l) => l.quote === q.index)?.speakerId ?? null;
  return id ? (a.cast.find((c) => c.id === id)?.name ?? null) : null;
}

const call = (rows: GenerationRecord[] = []): ProviderCall => ({ phase: 'concept', signal: new AbortController().signal, record: (r) => rows.push(r) });
const storyInput = (text: string, language: 'ja' | 'en', seed = 1): StoryInput => ({ text, language, readingDirection: language === 'ja' ? 'rtl' : 'ltr', pageFormat: 'B5', seed });

describe('cast', () => {
  it('finds 佐倉ひなた, 黒田湊, すみれ and 松井 in ja-kasa, with short names linked', () => {
    const { cast } = analyzeStory(kasa);
    const names = cast.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['佐倉ひなた', '黒田湊', 'すみれ', '松井']));
    expect(cast.find((c) => c.name === '黒田湊')?.aliases).toContain('湊');
    expect(cast.find((c) => c.name === '佐倉ひなた')?.aliases).toContain('ひなた');
    // Nothing that is not a person: not the shop, not "grandpa", not 本当.
    expect(names.some((n) => /月影堂|おじい|本当|さん$/.test(n))).toBe(false);
    expect(cast.find((c) => c.name === '松井')?.descriptor).toBe('八百屋');
  });

  it('finds Mara Quill, Tobias Quill and Elias Park in en-lighthouse, with first names linked', () => {
    const { cast } = analyzeStory(lighthouse);
    expect(cast.map((c) => c.name)).toEqual(['Mara Quill', 'Tobias Quill', 'Elias Park']);
    expect(cast.find((c) => c.name === 'Tobias Quill')?.aliases).toEqual(expect.arrayContaining(['Tobias', 'grandfather']));
    expect(cast.find((c) => c.name === 'Mara Quill')?.aliases).toContain('Mara');
    expect(cast.find((c) => c.name === 'Elias Park')?.aliases).toContain('Elias');
  });

  it('finds ケン and ミキ in ja-mini', () => {
    expect(analyzeStory(mini).cast.map((c) => c.name).sort()).toEqual(['ケン', 'ミキ']);
  });
});

describe('who says each line', () => {
  it('follows explicit attribution in Japanese (「…」とミキが聞いた, 松井さんは「…」と言った)', () => {
    expect(speakerOf(mini, 'ねえ、本当に飛べると思う')).toBe('ミキ');
    expect(speakerOf(kasa, 'ああ、月の傘ね')).toBe('松井');
  });

  it('uses the narration before a line and turn-taking in ja-kasa', () => {
    expect(speakerOf(kasa, '……傘、忘れた')).toBe('佐倉ひなた'); // ひなたは…空を見上げていた。
    expect(speakerOf(kasa, 'これ、使って')).toBe('黒田湊'); // 店主の孫、黒田湊だ。
    expect(speakerOf(kasa, 'え、でも')).toBe('佐倉ひなた'); // 湊が差し出したのは… is not 湊 speaking
    expect(speakerOf(kasa, '大丈夫。うちには')).toBe('黒田湊'); // turn-taking
    expect(speakerOf(kasa, '湊さん！')).toBe('佐倉ひなた'); // never the person addressed
    expect(speakerOf(kasa, 'おじいちゃんが入院')).toBe('黒田湊');
    expect(speakerOf(kasa, '……閉めないでください')).toBe('佐倉ひなた');
    expect(speakerOf(kasa, '五十年前')).toBe('すみれ');
    expect(speakerOf(mini, '飛べるさ')).toBe('ケン');
  });

  it('follows "…," Tobias said / she said / action beats in en-lighthouse', () => {
    expect(speakerOf(lighthouse, 'There,')).toBe('Tobias Quill'); // "There," Tobias said
    expect(speakerOf(lighthouse, 'Rest,')).toBe('Tobias Quill'); // "Rest," Tobias Quill snorted
    expect(speakerOf(lighthouse, "The radio's out")).toBe('Mara Quill'); // she said, after "Mara grabbed…"
    expect(speakerOf(lighthouse, 'The storm took the antenna')).toBe('Mara Quill'); // same paragraph
    expect(speakerOf(lighthouse, 'Then we do it the old way')).toBe('Tobias Quill'); // Tobias pulled a lever
    expect(speakerOf(lighthouse, 'Dad!')).toBe('Elias Park');
    expect(speakerOf(lighthouse, 'Grandpa, you')).toBe('Mara Quill');
    // "her grandfather said" → resolved through "Grandpa, …" answered by Tobias.
    expect(speakerOf(lighthouse, "They're automating it")).toBe('Tobias Quill');
    expect(speakerOf(lighthouse, 'Was that you?')).toBe('Elias Park');
    expect(speakerOf(lighthouse, 'That was the light')).toBe('Tobias Quill');
  });

  it('treats a sign and a shop name in brackets as not speech', () => {
    const { story } = analyzeStory(kasa);
    expect(story.quotes.find((q) => q.text === '月影堂')?.kind).toBe('title');
    expect(story.quotes.find((q) => q.text === 'しばらく休業します')?.kind).toBe('written');
  });
});

describe('beats', () => {
  it('uses kishōtenketsu for a Japanese story and three acts for an English one, in text order', () => {
    const ja = analyzeStory(kasa, 'ja');
    expect(ja.structure).toBe('kishotenketsu');
    expect(ja.beats.map((b) => b.act)).toEqual(['ki', 'sho', 'ten', 'ketsu']);
    const en = analyzeStory(lighthouse, 'en');
    expect(en.structure).toBe('three-act');
    expect([...new Set(en.beats.map((b) => b.act))]).toEqual(['setup', 'confrontation', 'resolution']);
    for (const a of [ja, en]) {
      for (let i = 1; i < a.beats.length; i++) expect(a.beats[i].span[0]).toBeGreaterThan(a.beats[i - 1].span[1] - 1);
      // Beats cover the whole body, paragraph by paragraph.
      expect(a.beats[0].paragraphs[0]).toBe(0);
      expect(a.beats[a.beats.length - 1].paragraphs[1]).toBe(a.story.paragraphs.length - 1);
    }
  });

  it('starts the second kishōtenketsu beat of ja-kasa at the scene break (翌日)', () => {
    const b = analyzeStory(kasa).beats[1];
    expect(kasa.slice(b.span[0], b.span[0] + 2)).toBe('翌日');
  });

  it('puts the resolution of en-lighthouse at "At dawn"', () => {
    const b = analyzeStory(lighthouse).beats.find((x) => x.act === 'resolution');
    expect(lighthouse.slice(b?.span[0] ?? 0).startsWith('At dawn')).toBe(true);
  });
});

describe('concept and characters', () => {
  it('derives concept fields from the words of the story', () => {
    const a = analyzeStory(kasa);
    const c = deriveConcept(a.story, a.cast, a.beats);
    expect(c.keywords).toContain('傘');
    expect(c.setting).toContain('商店街');
    expect(phaseOutputSchemas.concept.safeParse(c).success).toBe(true);
    const e = analyzeStory(lighthouse);
    const ce = deriveConcept(e.story, e.cast, e.beats);
    expect(ce.setting).toMatch(/lighthouse/);
    expect(ce.keywords).toEqual(expect.arrayContaining(['lighthouse', 'storm']));
  });

  it('gives roles from presence and styles from the characters’ own lines', () => {
    const chars = deriveCharacters(analyzeStory(kasa), 1);
    expect(chars.cast.find((c) => c.name === '佐倉ひなた')?.role).toBe('protagonist');
    expect(chars.cast.find((c) => c.name === '佐倉ひなた')?.speechStyle).toContain('丁寧語');
    expect(phaseOutputSchemas.characters.safeParse(chars).success).toBe(true);
  });
});

describe('offline provider', () => {
  it('produces valid phase 1–3 outputs for every fixture, deterministically for a seed', async () => {
    const p = createOfflineProvider();
    for (const [text, lang] of [
      [kasa, 'ja'],
      [lighthouse, 'en'],
      [mini, 'ja'],
      [injection, 'en'],
    ] as const) {
      const run = async () => {
        const story = storyInput(text, lang, 42);
        const concept = (await p.concept({ story }, call())).value;
        const characters = (await p.characters({ story, concept }, call())).value;
        const plot = (await p.plot({ story, concept, characters }, call())).value;
        const shots = (await p.shots({ story, characters, plot }, call())).value;
        return { concept, characters, plot, shots };
      };
      const a = await run();
      expect(phaseOutputSchemas.concept.safeParse(a.concept).success).toBe(true);
      expect(phaseOutputSchemas.characters.safeParse(a.characters).success).toBe(true);
      expect(phaseOutputSchemas.plot.safeParse(a.plot).success).toBe(true);
      expect(a.shots.length).toBeGreaterThanOrEqual(3);
      expect(await run()).toEqual(a);
    }
  });

  it('records each step as a zero-cost offline generation', async () => {
    const rows: GenerationRecord[] = [];
    await createOfflineProvider().concept({ story: storyInput(mini, 'ja') }, call(rows));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: 'offline', outcome: 'ok', costJpy: 0 });
    expect(rows[0].promptHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads a prompt injection as story text: its lines are lines, nothing else changes', async () => {
    const a = analyzeStory(injection);
    expect(a.cast.map((c) => c.name)).toEqual(['太郎']);
    expect(speakerOf(injection, 'これは普通の台詞です')).toBe('太郎');
    const story = storyInput(injection, 'en');
    const concept = (await createOfflineProvider().concept({ story }, call())).value;
    // The "instruction" is just words of the story: it is adapted as text like any other line,
    // the HTML stays inert text, and the JSON in it pollutes nothing.
    expect(concept.synopsis).toContain('Ignore all previous instructions');
    expect(concept.synopsis).toContain("<script>alert('x')</script>");
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(phaseOutputSchemas.concept.safeParse(concept).success).toBe(true);
  });

  it('draws a scene panel as a PNG the size of the panel, the same for the same seed', async () => {
    const p = createOfflineProvider();
    const story = storyInput(mini, 'ja');
    const characters = (await p.characters({ story }, call())).value;
    const panel = {
      id: 'panel-s001', order: 0, bboxMm: [10, 10, 80, 50] as [number, number, number, number], bleed: false, shot: 'medium' as const, camera: 'eye' as const,
      importance: 0.5, characters: ['c1'], faces: [{ characterId: 'c1', faceMm: [40, 20, 10, 12] as [number, number, number, number], bodyMm: [33, 30, 24, 30] as [number, number, number, number] }],
      beatId: null, description: 'ケンは校舎の屋上で空を見ていた。',
    };
    const req = { story, panel, pageIndex: 0, characters, references: [], seed: 5 };
    const img = await p.sceneImage(req, call());
    expect(img.mime).toBe('image/png');
    expect([img.width, img.height]).toEqual([320, 200]);
    expect(Buffer.from(img.bytes.subarray(1, 4)).toString()).toBe('PNG');
    expect(img.prompt).toMatch(/rooftop/);
    expect(Buffer.from((await p.sceneImage(req, call())).bytes).equals(Buffer.from(img.bytes))).toBe(true);
  });

  it('draws another picture for another seed, even of a panel with nothing random in it', async () => {
    const p = createOfflineProvider();
    const story = storyInput(mini, 'ja');
    const characters = (await p.characters({ story }, call())).value;
    // An object insert: no faces, no speed lines, clear weather — nothing but the seed to vary.
    const panel = {
      id: 'panel-s002', order: 1, bboxMm: [10, 10, 60, 40] as [number, number, number, number], bleed: false, shot: 'insert' as const, camera: 'eye' as const,
      importance: 0.3, characters: [], faces: [], beatId: null, description: '机の上の手紙。',
    };
    const draw = async (seed: number) => Buffer.from((await p.sceneImage({ story, panel, pageIndex: 0, characters, references: [], seed }, call())).bytes);
    const pictures = await Promise.all([1, 2, 3, 4].map(draw));
    expect(new Set(pictures.map((b) => b.toString('base64'))).size).toBe(4);
    expect((await draw(3)).equals(pictures[2]!)).toBe(true);
  });
});

describe('feedback on the offline engine', () => {
  it('follows explicit directives and keeps a revised branch’s edits', async () => {
    const p = createOfflineProvider();
    const story = storyInput(kasa, 'ja');
    const base = (await p.concept({ story }, call())).value;
    const edited = { ...base, logline: '人が書き直したログライン' };
    const next = (await p.concept({ story, revising: edited, feedback: 'トーン：ミステリアス\nkeywords: 傘, 約束' }, call())).value;
    expect(next.logline).toBe('人が書き直したログライン');
    expect(next.tone).toBe('ミステリアス');
    expect(next.keywords).toEqual(['傘', '約束']);
    const characters = (await p.characters({ story, feedback: '主人公：すみれ' }, call())).value;
    expect(characters.cast.find((c) => c.name === 'すみれ')?.role).toBe('protagonist');
    expect(characters.cast.filter((c) => c.role === 'protagonist')).toHaveLength(1);
    const plot = (await p.plot({ story, characters, feedback: 'structure: three-act' }, call())).value;
    expect(plot.structure).toBe('three-act');
    expect(plot.beats[0].act).toBe('setup');
  });
});

describe('long stories', () => {
  it('stay within the schemas: at most 60 beats, shots condensed to fit 200 pages with their lines', async () => {
    const { condenseShots, MAX_SHOTS, planShots } = await import('./shots');
    const long = Array.from({ length: 100 }, () => `* * *\n\n${lighthouse.replace(/^Title:.*\n/, '')}`).join('\n\n');
    const a = analyzeStory(long, 'en');
    expect(a.beats.length).toBeLessThanOrEqual(60);
    const characters = deriveCharacters(a, 1);
    const plan = planShots(a, characters, undefined, 1);
    expect(plan.shots.length).toBeLessThanOrEqual(MAX_SHOTS);
    const spoken = new Set([...plan.cues.values()].flat().map((c) => c.quote).filter((q) => q !== null));
    expect(spoken.size).toBeGreaterThan(a.lines.length * 0.8);
    const small = condenseShots(plan.shots.slice(0, 10), null, 4);
    expect(small.length).toBeLessThanOrEqual(4);
  });
});

describe('stories beyond the fixtures', () => {
  // Written for these tests: the patterns fiction uses most, in both languages.
  const umbrella = [
    '放課後の教室で、健太は窓の外を見ていた。',
    '「また雨か」と健太はつぶやいた。',
    '「傘、貸そうか？」',
    '振り向くと、転校生の早川美咲が立っていた。',
    '「いいの？」',
    '「うん。わたし、二本持ってるから」',
    '美咲は笑って、青い傘を差し出した。',
    '翌朝、健太は傘を返しに美咲の家へ向かった。',
    '「ありがとう」と彼は言った。',
    '「どういたしまして」と彼女は答えた。',
  ].join('\n');
  const clock = [
    "The Clockmaker's Apprentice",
    '',
    'Nora Bell had worked in the shop on Cable Street for three winters. Every morning Mr. Harlan Voss unlocked the door at seven.',
    '',
    '"You\'re early again," Voss said.',
    '',
    '"The clocks are never early," Nora said. "Only people."',
    '',
    'Across the street, a girl named Ivy watched them through the frosted glass.',
    '',
    '"Can you fix it?" Ivy asked when Nora opened the door.',
  ].join('\n');

  it('links a given name to its full name, reads voice-then-reveal, and learns who 彼 and 彼女 are', () => {
    const a = analyzeStory(umbrella);
    expect(a.cast.find((c) => c.name === '早川美咲')?.aliases).toContain('美咲');
    expect(a.cast.find((c) => c.name === '早川美咲')?.descriptor).toBe('転校生');
    const who = (start: string) => speakerOf(umbrella, start);
    expect(who('また雨か')).toBe('健太');
    expect(who('傘、貸そうか')).toBe('早川美咲');
    expect(who('いいの')).toBe('健太');
    expect(who('うん。わたし')).toBe('早川美咲');
    expect(who('ありがとう')).toBe('健太');
    expect(who('どういたしまして')).toBe('早川美咲');
  });

  it('takes an untitled first line as the title and attributes English dialogue', () => {
    const a = analyzeStory(clock);
    expect(a.story.title).toBe("The Clockmaker's Apprentice");
    expect(a.cast.map((c) => c.name)).toEqual(['Nora Bell', 'Harlan Voss', 'Ivy']);
    expect(speakerOf(clock, "You're early")).toBe('Harlan Voss');
    expect(speakerOf(clock, 'Only people')).toBe('Nora Bell');
    expect(speakerOf(clock, 'Can you fix it')).toBe('Ivy');
  });
});
