/**
 * Concept fields from the words a story actually uses: keywords by frequency, the setting from
 * place words, tone and genre from small vocabularies, the logline from the protagonist and the
 * turn. Honest, extractive, and stable for a given text.
 */
import type { ConceptOutput } from '../../../schema/phases';
import type { CastMember } from './cast';
import type { StoryBeat } from './beats';
import type { StoryText } from './story';

const EN_STOP = new Set(
  (
    'the a an and or but so then than that this these those there here with without from into onto over under about above below ' +
    'for of to in on at by as is are was were be been being have has had do does did will would could should can may might must ' +
    'not no yes its his her hers him he she they them their our we you your my me i it what who whom which when where why how all ' +
    'any each every some more most other such only own same too very just also now out up down off again once one two three time ' +
    'said says like back still even ever well know just into through after before while would last first said made make much many ' +
    'away come came going gone turn turned look looked long short around toward towards upon onto every old new'
  ).split(' '),
);

const JA_STOP = new Set('本当 大丈夫 一緒 二人 自分 今日 明日 何 誰 少し 全部 時間 最後 最初 次 前 後 中 上 下'.split(' '));

interface Lexeme {
  word: string;
  count: number;
  first: number;
}

function countWords(story: StoryText, cast: CastMember[]): Lexeme[] {
  const names = new Set(cast.flatMap((c) => [c.name, ...c.aliases, ...c.name.split(' ')]));
  const counts = new Map<string, Lexeme>();
  const bump = (w: string, at: number) => {
    if (names.has(w)) return;
    const l = counts.get(w);
    if (l) l.count++;
    else counts.set(w, { word: w, count: 1, first: at });
  };
  const body = story.paragraphs.map((p) => p.text).join('\n');
  if (story.language === 'ja') {
    // Kanji compounds and katakana words: the content words of Japanese text.
    for (const m of body.matchAll(/[\u3005\u3400-\u9fff]{2,4}|[\u30a1-\u30f6\u30fc]{3,}/g)) {
      if (m.index !== undefined && !JA_STOP.has(m[0]) && ![...names].some((n) => n.includes(m[0]) || m[0].includes(n))) bump(m[0], m.index);
    }
    // Single-kanji nouns that carry a story (傘, 雨, 月) count when they repeat.
    for (const m of body.matchAll(/(?<![\u3005\u3400-\u9fff])([\u3400-\u9fff])(?![\u3005\u3400-\u9fff])/g)) {
      if (m.index !== undefined && /[傘雨月海空星花本店駅夜朝夢光風雪森城猫犬船灯]/.test(m[1])) bump(m[1], m.index);
    }
  } else {
    for (const m of body.matchAll(/[A-Za-z][a-z'’]+/g)) {
      const w = m[0].toLowerCase().replace(/['’]s$/, '');
      if (m.index !== undefined && w.length >= 4 && !EN_STOP.has(w) && !/^[A-Z]/.test(m[0])) bump(w, m.index);
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.first - b.first);
}

interface Category {
  label: { ja: string; en: string };
  words: RegExp;
}

const PLACES: Category[] = [
  { label: { ja: '駅前の商店街', en: 'a shopping street by the station' }, words: /商店街|駅前|八百屋|花屋|shopping street|market/gi },
  { label: { ja: '古本屋', en: 'a second-hand bookshop' }, words: /古本屋|本屋|書店|bookshop|bookstore|library|図書館/gi },
  { label: { ja: '学校', en: 'a school' }, words: /学校|校舎|教室|屋上|放課後|高校|school|classroom|rooftop/gi },
  { label: { ja: '灯台と海', en: 'a lighthouse above the sea' }, words: /灯台|lighthouse|lamp room|reef|rocks|harbou?r|coast/gi },
  { label: { ja: '海', en: 'the sea' }, words: /海|波|港|船|sea|waves?|boat|ocean|port/gi },
  { label: { ja: '病院', en: 'a hospital' }, words: /病院|入院|hospital/gi },
  { label: { ja: '森', en: 'a forest' }, words: /森|林|forest|woods/gi },
  { label: { ja: '街', en: 'a city' }, words: /都会|街角|ビル|city|street|downtown/gi },
  { label: { ja: '家', en: 'a family home' }, words: /自宅|台所|居間|kitchen|living room|house/gi },
  { label: { ja: '城', en: 'a castle' }, words: /城|王国|castle|kingdom/gi },
  { label: { ja: '宇宙', en: 'space' }, words: /宇宙|星間|spaceship|starship|orbit/gi },
];

const TIMES: Category[] = [
  { label: { ja: '梅雨の雨', en: 'rain' }, words: /雨|梅雨|六月|rain/gi },
  { label: { ja: '嵐', en: 'a storm' }, words: /嵐|台風|storm|gale/gi },
  { label: { ja: '夕暮れ', en: 'dusk' }, words: /夕焼け|夕方|夕暮れ|sunset|dusk/gi },
  { label: { ja: '夜', en: 'night' }, words: /夜|深夜|night|midnight/gi },
  { label: { ja: '夜明け', en: 'dawn' }, words: /夜明け|朝|dawn|morning/gi },
];

const TONES: Category[] = [
  { label: { ja: 'あたたかい', en: 'warm' }, words: /笑|ありがと|優し|微笑|smile|thank|warm|kind/gi },
  { label: { ja: 'ノスタルジック', en: 'nostalgic' }, words: /昔|年前|思い出|懐かし|初恋|古い|old|years|remember|used to|forty/gi },
  { label: { ja: '切ない', en: 'bittersweet' }, words: /涙|泣|寂し|別れ|閉め|休業|入院|tear|cry|last time|alone|goodbye/gi },
  { label: { ja: '緊迫した', en: 'tense' }, words: /危|叫|逃|嵐|storm|danger|dead|jagged|trembl|breathless|too close/gi },
  { label: { ja: '希望に満ちた', en: 'hopeful' }, words: /虹|夢|飛|再び|希望|rainbow|hope|calm|dawn|forever|fly/gi },
  { label: { ja: '不穏な', en: 'ominous' }, words: /影|闇|不気味|shadow|dark|where no light/gi },
];

const GENRES: Category[] = [
  { label: { ja: '日常ドラマ', en: 'slice of life' }, words: /商店街|学校|高校|放課後|店|school|shop|home|neighbo/gi },
  { label: { ja: 'ヒューマンドラマ', en: 'human drama' }, words: /家族|おじいちゃん|祖父|孫|入院|grandfather|grandpa|family|father/gi },
  { label: { ja: '恋愛', en: 'romance' }, words: /恋|初恋|好き|love|kiss/gi },
  { label: { ja: '冒険', en: 'adventure' }, words: /冒険|旅|救|嵐|boat|storm|rescue|reef|signal/gi },
  { label: { ja: 'ミステリー', en: 'mystery' }, words: /謎|探|犯人|事件|mystery|clue|detective/gi },
  { label: { ja: 'ファンタジー', en: 'fantasy' }, words: /魔法|竜|王国|magic|dragon|spell/gi },
  { label: { ja: 'SF', en: 'science fiction' }, words: /宇宙|ロボット|未来|robot|machine|future|space/gi },
];

const THEMES: Category[] = [
  { label: { ja: '受け継がれる想い', en: 'what one generation hands to the next' }, words: /おじいちゃん|祖父|孫|五十年|grandfather|grandpa|father taught|forty years/gi },
  { label: { ja: '返すこと、つながること', en: 'giving back and being connected' }, words: /返|貸|借|手伝|return|borrow|help|reminded/gi },
  { label: { ja: '変わるものと変わらないもの', en: 'what changes and what endures' }, words: /閉め|再び|自動|machine|automat|forever|still|rest/gi },
  { label: { ja: '勇気', en: 'courage' }, words: /勇気|怖|飛べ|brave|fear|courage/gi },
  { label: { ja: '夢', en: 'dreams' }, words: /夢|飛|空|dream|fly|sky/gi },
];

function rank(text: string, cats: Category[]): Category[] {
  return cats
    .map((c) => ({ c, n: (text.match(c.words) ?? []).length }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n)
    .map((x) => x.c);
}

function clip(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length <= n ? t : `${t.slice(0, n - 1)}…`;
}

export function deriveConcept(story: StoryText, cast: CastMember[], beats: StoryBeat[]): ConceptOutput {
  const lang = story.language;
  const body = story.paragraphs.map((p) => p.text).join('\n');
  const keywords = countWords(story, cast)
    .slice(0, 12)
    .map((l) => l.word);
  const places = rank(body, PLACES).slice(0, 2).map((c) => c.label[lang]);
  const times = rank(body, TIMES).slice(0, 1).map((c) => c.label[lang]);
  const tones = rank(body, TONES).slice(0, 2).map((c) => c.label[lang]);
  const genres = rank(body, GENRES).slice(0, 2).map((c) => c.label[lang]);
  const themes = rank(body, THEMES).slice(0, 2).map((c) => c.label[lang]);
  // The hero: the most present (mentions), the first introduced breaking ties.
  const hero = [...cast].sort((a, b) => b.mentions.length + (b === cast[0] ? 1 : 0) - (a.mentions.length + (a === cast[0] ? 1 : 0)))[0];
  // The situation: the first narration sentence that names the hero; the turn: the first
  // narration sentence of the turning paragraph (a quoted line only if there is no narration).
  const narration = (p: number) => story.sentences.filter((x) => x.paragraph === p && !/^[「"“]/.test(x.text));
  const heroNames = hero ? [hero.name, ...hero.aliases] : [];
  const situation = story.sentences.find((x) => !/^[「"“]/.test(x.text) && heroNames.some((n) => x.text.includes(n)))?.text ?? story.sentences[0]?.text ?? '';
  const turn = beats.find((b) => b.turn !== null);
  const turnPara = turn?.turn ?? null;
  const turnSentence = turnPara === null ? '' : (narration(turnPara)[0]?.text ?? narration(turnPara + 1)[0]?.text ?? story.sentences.find((x) => x.paragraph === turnPara)?.text ?? '');
  const sep = lang === 'ja' ? '、' : ', ';
  const setting = [...places, ...times].join(sep) || (lang === 'ja' ? '現代の日本' : 'the present day');
  const era = /\b(?:radio|machine|phone|car|coast guard|automat)/i.test(body) || /スマホ|電話|車|駅|高校/.test(body) ? (lang === 'ja' ? '現代' : 'the present day') : lang === 'ja' ? '時代不詳' : 'an unspecified time';
  const world = lang === 'ja' ? `${era}。${places[0] ?? '小さな町'}を中心とした、等身大の世界。` : `${era}; a grounded world centred on ${places[0] ?? 'a small town'}.`;
  const parts = [situation, turnSentence].filter((x, i, all) => x && all.indexOf(x) === i);
  const logline = clip(parts.join(lang === 'ja' ? '' : ' ') || (lang === 'ja' ? `${hero?.name ?? '主人公'}の物語。` : `The story of ${hero?.name ?? 'its hero'}.`), 300);
  const synopsis = beats.map((b) => b.summary).join('\n\n');
  return {
    logline,
    theme: themes.join(lang === 'ja' ? '／' : '; ') || (lang === 'ja' ? '人と人とのつながり' : 'people and the ties between them'),
    genre: genres.join(lang === 'ja' ? '／' : ', ') || (lang === 'ja' ? 'ドラマ' : 'drama'),
    tone: tones.join(sep) || (lang === 'ja' ? '静か' : 'quiet'),
    world,
    setting,
    keywords,
    synopsis: clip(synopsis, 50_000),
  };
}
