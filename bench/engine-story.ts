/**
 * A synthetic but plausible script for the engine benchmark: shots with varied importance,
 * shot types, casts, occasional reveals and bleeds, and Japanese (or English) dialogue with the
 * punctuation that exercises kinsoku and vertical forms. Deterministic for a seed.
 */
import type { BookCharacter, DialogueLine, ShotInput, ShotType } from '../lib/engine/types';
import { mulberry32 } from '../lib/rng';

export const CAST: BookCharacter[] = [
  { id: 'aki', name: 'Aki' },
  { id: 'ren', name: 'Ren' },
  { id: 'mio', name: 'Mio' },
];

const JA_LINES = [
  'はい、そうです。',
  '本当に？',
  'ちょっと待って！',
  '「明日」って言ったよね……',
  'ここから先は、私が行く。',
  'ウソでしょ！？',
  'あの日のこと、覚えてる？',
  '電車はもう出ちゃったよ。',
  'ありがとう。でも、大丈夫。',
  '３時に駅前で会おう。',
  'え？',
  'ずっと、探していたんだ。',
  'コーヒー、もう一杯どう？',
  'なんで黙ってたの？',
];
const EN_LINES = [
  'Yes, that is right.',
  'Really?',
  'Wait a second!',
  'You said "tomorrow", didn\'t you...',
  'From here on, I go alone.',
  'No way!?',
  'Do you remember that day?',
  'The last train already left.',
  'Thanks. But I am fine.',
  'Meet me at the station at three.',
];
const SFX_JA = ['ドン', 'ガタッ', 'ザアア'];

const SHOTS: ShotType[] = ['establishing', 'wide', 'full', 'medium', 'medium', 'closeup', 'closeup', 'extreme-closeup', 'over-shoulder', 'insert', 'action'];


export interface Story {
  shots: ShotInput[];
  /** Lines attached to shots: `panelId` holds the shot id until the layout names the panels. */
  lines: DialogueLine[];
}

export function syntheticStory(shotCount: number, language: 'ja' | 'en', seed = 7): Story {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const shots: ShotInput[] = [];
  const lines: DialogueLine[] = [];
  for (let i = 0; i < shotCount; i++) {
    const shot = i % 23 === 0 ? 'establishing' : pick(SHOTS);
    const castSize = shot === 'insert' || shot === 'establishing' ? (rnd() < 0.5 ? 0 : 1) : 1 + Math.floor(rnd() * 2);
    const characters = [...CAST].sort(() => rnd() - 0.5).slice(0, castSize).map((c) => c.id);
    const id = `s${String(i).padStart(4, '0')}`;
    shots.push({
      id,
      importance: shot === 'establishing' ? 0.8 : Math.round(rnd() * 100) / 100,
      shot,
      characters,
      reveal: i > 0 && i % 37 === 0,
      bleed: shot === 'establishing' && rnd() < 0.5,
      description: `${shot} ${characters.join(' ')}`,
    });
    const n = characters.length === 0 ? (rnd() < 0.3 ? 1 : 0) : Math.floor(rnd() * 3);
    for (let k = 0; k < n; k++) {
      const speaker = characters.length ? characters[k % characters.length] : null;
      const sfx = speaker === null && language === 'ja' && rnd() < 0.5;
      lines.push({
        id: `${id}-l${k}`,
        panelId: id,
        speakerId: speaker,
        kind: sfx ? 'sfx' : speaker === null ? 'narration' : rnd() < 0.1 ? 'shout' : rnd() < 0.1 ? 'thought' : 'speech',
        text: sfx ? pick(SFX_JA) : pick(language === 'ja' ? JA_LINES : EN_LINES),
        order: k,
      });
    }
  }
  return { shots, lines };
}
