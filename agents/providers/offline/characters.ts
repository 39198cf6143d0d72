/**
 * Character cards from the cast and the lines each one speaks: role by presence, look from how
 * the story introduces them, personality and speech style from their own words.
 */
import type { Character, CharactersOutput } from '../../../schema/phases';
import type { StoryAnalysis } from './analysis';

export const PALETTE = ['#e4572e', '#2e86ab', '#f3a712', '#6a4c93', '#29bf12', '#d81159', '#00a6a6', '#8f2d56', '#ff7f11', '#3d5a80', '#9c6644', '#4d9078'];

function linesOf(a: StoryAnalysis, id: string): string[] {
  return a.lines.filter((l) => l.speakerId === id).map((l) => a.story.quotes[l.quote].text);
}

const JA_LOOK = /(背の高い|背の低い|小柄な|大柄な|長い髪の?|短い髪の?|眼鏡の|老婦人|老人|青年|少年|少女|高校[一二三]年|中学[一二三]年|小学生|店主|孫|制服)/g;
const EN_LOOK = /\b(tall|short|old|young|elderly|grey-haired|white-haired|bearded|small|thin|little|trembling hand|weathered|freckled)\b/gi;

function lookOf(a: StoryAnalysis, id: string): string {
  const c = a.cast.find((m) => m.id === id);
  if (!c) return '';
  const ja = a.story.language === 'ja';
  const words = new Set<string>();
  if (c.descriptor) words.add(c.descriptor);
  // Words in the sentences around each of their first three mentions.
  for (const m of c.mentions.slice(0, 3)) {
    const s = a.story.sentences.find((x) => x.start <= m.start && m.start < x.end);
    const prev = s ? a.story.sentences[s.index - 1] : undefined;
    // Japanese introduces people in the sentence before (背の高い青年が現れた。…黒田湊だ);
    // English describes them next to the name.
    const around = ja ? [prev?.text ?? '', s?.text ?? ''] : [a.story.text.slice(Math.max(s?.start ?? 0, m.start - 40), Math.min(s?.end ?? m.end, m.end + 40))];
    for (const t of around) for (const w of t.match(ja ? JA_LOOK : EN_LOOK) ?? []) words.add(w.toLowerCase());
  }
  const parts = [...words].slice(0, 5);
  if (ja) return parts.length ? `${parts.join('、')}。ストーリーボード用の簡略化したシルエット。` : 'ストーリーボード用の簡略化したシルエット。';
  return parts.length ? `${parts.join(', ')}; a simplified storyboard silhouette.` : 'A simplified storyboard silhouette.';
}

function personalityOf(lines: string[], ja: boolean): string {
  if (!lines.length) return ja ? '台詞が少なく、行動で語る。' : 'Few words; shows who they are through actions.';
  const text = lines.join(' ');
  const traits: string[] = [];
  const excl = (text.match(/[！!]/g) ?? []).length;
  const dots = (text.match(/……|\.\.\./g) ?? []).length;
  const q = (text.match(/[？?]/g) ?? []).length;
  if (excl >= Math.max(1, lines.length / 3)) traits.push(ja ? '感情がまっすぐ' : 'forthright and emotional');
  if (dots >= 1) traits.push(ja ? 'ためらいがち' : 'hesitant at times');
  if (q >= 1) traits.push(ja ? '好奇心がある' : 'curious');
  if (/手伝|大丈夫|使って|help|rest|deserve/i.test(text)) traits.push(ja ? '思いやりがある' : 'caring');
  if (/ください|です|ます/.test(text)) traits.push(ja ? '礼儀正しい' : 'polite');
  if (!traits.length) traits.push(ja ? '落ち着いている' : 'steady');
  return ja ? `${traits.join('、')}。` : `${traits.join(', ')}.`;
}

function speechStyleOf(lines: string[], ja: boolean): string {
  if (!lines.length) return ja ? '（台詞なし）' : '(no lines in the story)';
  const text = lines.join(' ');
  const sample = lines.reduce((a, b) => (b.length > a.length && b.length <= 40 ? b : a), lines[0]).slice(0, 60);
  if (ja) {
    const polite = /(?:です|ます|ください)/.test(text);
    const endings = [...new Set((text.match(/(?:ね|よ|さ|の|んだ|だよ|かな)(?=[。！？」]|$)/g) ?? []))].slice(0, 3);
    const first = /わたし|私|あたし/.test(text) ? '一人称「わたし」' : /僕|ぼく/.test(text) ? '一人称「僕」' : /俺|おれ/.test(text) ? '一人称「俺」' : '';
    return [polite ? '丁寧語' : 'くだけた口調', endings.length ? `語尾「${endings.join('」「')}」` : '', first, `例：「${sample}」`].filter(Boolean).join('、');
  }
  const avg = Math.round(text.split(/\s+/).length / lines.length);
  const contractions = (text.match(/\w['’](?:s|re|t|ll|ve|d|m)\b/g) ?? []).length > 0;
  return [`${avg <= 6 ? 'terse' : avg <= 14 ? 'plain' : 'talkative'} (${avg} words a line)`, contractions ? 'uses contractions' : 'formal', `e.g. "${sample}"`].join('; ');
}

export function deriveCharacters(a: StoryAnalysis, seed: number): CharactersOutput {
  const ja = a.story.language === 'ja';
  const weight = (id: string) => {
    const c = a.cast.find((m) => m.id === id);
    // The first person the story introduces is usually whose story it is.
    const first = a.cast.reduce((best, m) => ((m.mentions[0]?.start ?? Infinity) < (best.mentions[0]?.start ?? Infinity) ? m : best), a.cast[0]);
    return (c?.mentions.length ?? 0) + 2 * linesOf(a, id).length + (first?.id === id ? 2 : 0);
  };
  const ranked = [...a.cast].sort((x, y) => weight(y.id) - weight(x.id) || (x.mentions[0]?.start ?? 0) - (y.mentions[0]?.start ?? 0));
  const top = ranked[0] ? weight(ranked[0].id) : 0;
  const offset = Math.abs(Math.trunc(seed)) % PALETTE.length;
  // The schema holds 40 characters: a crowded story keeps its 40 most present, in story order.
  const kept = new Set(ranked.slice(0, 40).map((c) => c.id));
  const cast: Character[] = a.cast.filter((c) => kept.has(c.id)).map((c, i) => {
    const rankIndex = ranked.findIndex((r) => r.id === c.id);
    const w = weight(c.id);
    const role: Character['role'] =
      rankIndex === 0 ? 'protagonist' : rankIndex === 1 && w >= top * 0.4 ? 'deuteragonist' : w >= 3 || linesOf(a, c.id).length > 0 ? 'supporting' : 'minor';
    const lines = linesOf(a, c.id);
    return {
      id: c.id,
      name: c.name,
      aliases: c.aliases.slice(0, 20),
      role,
      look: lookOf(a, c.id),
      personality: personalityOf(lines, ja),
      speechStyle: speechStyleOf(lines, ja),
      color: PALETTE[(i + offset) % PALETTE.length],
      referenceAssetId: null,
    };
  });
  if (!cast.length) {
    // A story with no one we can name still gets a narrator to draw.
    cast.push({
      id: 'c1',
      name: ja ? '語り手' : 'Narrator',
      aliases: [],
      role: 'protagonist',
      look: ja ? 'ストーリーボード用の簡略化したシルエット。' : 'A simplified storyboard silhouette.',
      personality: ja ? '物語を見つめる視点。' : 'The point of view the story is told from.',
      speechStyle: ja ? '（台詞なし）' : '(no lines in the story)',
      color: PALETTE[offset],
      referenceAssetId: null,
    });
  }
  return { cast };
}
