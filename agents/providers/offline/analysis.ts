/**
 * One reading of a story, shared by every offline step: structure, cast, who says what, beats.
 * Cached by the text's hash so the seven phases of one run read the story once.
 */
import { createHash } from 'node:crypto';
import type { Language } from '../../../lib/engine/types';
import { attributeQuotes, type Attribution } from './attribution';
import { planBeats, type StoryBeat } from './beats';
import { findCast, type CastMember } from './cast';
import { readStory, type StoryText } from './story';

export interface StoryAnalysis {
  story: StoryText;
  cast: CastMember[];
  /** One per speech quote, in text order. */
  lines: Attribution[];
  structure: 'three-act' | 'kishotenketsu';
  beats: StoryBeat[];
}

const cache = new Map<string, StoryAnalysis>();

/** About 20 manga pages of Japanese text. */
export const KISHOTENKETSU_MAX_CHARS = 8_000;

export function analyzeStory(text: string, language?: Language): StoryAnalysis {
  const key = createHash('sha256').update(`${language ?? ''}\0${text}`).digest('hex');
  const hit = cache.get(key);
  if (hit) return hit;
  // The detected language wins for reading (a Japanese story in an 'en' project is still
  // Japanese text); the project language decides the structure we propose.
  const story = readStory(text);
  const cast = findCast(story);
  const { lines, roles } = attributeQuotes(story, cast);
  for (const [role, id] of roles) {
    const c = cast.find((m) => m.id === id);
    if (c && !c.aliases.includes(role)) c.aliases.push(role);
  }
  // Kishōtenketsu is the shape of the Japanese short story; a long Japanese work (a novella,
  // several chapters) reads better as three acts.
  const short = story.paragraphs.reduce((n, p) => n + p.text.length, 0) <= KISHOTENKETSU_MAX_CHARS;
  const structure = (language ?? story.language) === 'ja' && story.language === 'ja' && short ? 'kishotenketsu' : 'three-act';
  const { beats } = planBeats(story, structure);
  const analysis: StoryAnalysis = { story, cast, lines, structure, beats };
  cache.set(key, analysis);
  if (cache.size > 16) cache.delete(cache.keys().next().value as string);
  return analysis;
}

export function speakerOfQuote(a: StoryAnalysis, quoteIndex: number): string | null {
  return a.lines.find((l) => l.quote === quoteIndex)?.speakerId ?? null;
}
