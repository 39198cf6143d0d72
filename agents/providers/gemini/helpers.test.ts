import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { conceptOutput } from '../../../schema/phases';
import { partialStringField } from './stream-json';
import { jsonSchemaFor } from './schema';
import { nearestAspect } from './client';
import { selectProvider } from '../../provider';
import { parseConfig } from '../../../lib/config';

describe('partialStringField', () => {
  it('decodes a string field while it is still arriving', () => {
    const full = JSON.stringify({ logline: 'x', synopsis: 'Line one\n"quoted" — 日本語 \u00e9' });
    const seen: string[] = [];
    for (let i = 0; i <= full.length; i++) seen.push(partialStringField(full.slice(0, i), 'synopsis') ?? '');
    // Monotone: each prefix extends the previous one, and the last is the whole value.
    for (let i = 1; i < seen.length; i++) expect(seen[i].startsWith(seen[i - 1])).toBe(true);
    expect(seen[seen.length - 1]).toBe('Line one\n"quoted" — 日本語 é');
  });

  it('is null before the field starts, and waits on a half escape', () => {
    expect(partialStringField('{"logline": "a", "syn', 'synopsis')).toBeNull();
    expect(partialStringField('{"synopsis": "ab\\', 'synopsis')).toBe('ab');
    expect(partialStringField('{"synopsis": "ab\\u00', 'synopsis')).toBe('ab');
  });
});

describe('jsonSchemaFor', () => {
  it('derives the request schema from the zod schema, without keywords Gemini refuses', () => {
    const s = jsonSchemaFor(conceptOutput) as { type: string; properties: Record<string, unknown>; required: string[] };
    expect(s.type).toBe('object');
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['logline', 'synopsis', 'keywords']));
    expect(JSON.stringify(s)).not.toContain('$schema');
    expect(JSON.stringify(s)).not.toContain('additionalProperties');
    // A field called "id" survives (only the schema keyword is dropped).
    const withId = jsonSchemaFor(z.object({ id: z.string() })) as { properties: Record<string, unknown> };
    expect(Object.keys(withId.properties)).toEqual(['id']);
  });
});

describe('selectProvider', () => {
  it('is offline without a key, gemini with one (auto), and refuses gemini without a key', () => {
    expect(selectProvider(parseConfig({})).name).toBe('offline');
    expect(selectProvider(parseConfig({ GEMINI_API_KEY: 'k' })).name).toBe('gemini');
    expect(selectProvider(parseConfig({ GEMINI_API_KEY: 'k', AI_PROVIDER: 'offline' })).name).toBe('offline');
    expect(() => selectProvider(parseConfig({ AI_PROVIDER: 'gemini' }))).toThrow(/GEMINI_API_KEY/);
  });
});

describe('GEMINI_IMAGES', () => {
  it('keeps Gemini for text and draws the images it is not asked for offline', () => {
    const sheets = selectProvider(parseConfig({ GEMINI_API_KEY: 'k', GEMINI_IMAGES: 'sheets' }));
    const all = selectProvider(parseConfig({ GEMINI_API_KEY: 'k' }));
    expect(sheets.name).toBe('gemini');
    expect(sheets.sceneImage).not.toBe(all.sceneImage);
    expect(() => parseConfig({ GEMINI_IMAGES: 'some' })).toThrow(/GEMINI_IMAGES/);
  });
});

describe('nearestAspect', () => {
  it('asks for the supported ratio nearest a panel’s shape', () => {
    expect(nearestAspect(1)).toBe('1:1');
    expect(nearestAspect(150 / 60)).toBe('21:9');
    expect(nearestAspect(70 / 100)).toBe('2:3');
    expect(nearestAspect(150 / 110)).toBe('4:3');
  });
});
