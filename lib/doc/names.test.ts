import { describe, expect, it } from 'vitest';
import { parseDocName, reviewDocName, workDocName } from './names';

const ID = '3f0c6a52-8d1e-4b7a-9c2d-1e2f3a4b5c6d';

describe('doc names', () => {
  it('builds and parses work and review names', () => {
    expect(workDocName(ID)).toBe(`project:${ID}`);
    expect(reviewDocName(ID)).toBe(`project:${ID}:review`);
    expect(parseDocName(workDocName(ID))).toEqual({ projectId: ID, kind: 'work' });
    expect(parseDocName(reviewDocName(ID))).toEqual({ projectId: ID, kind: 'review' });
  });
  it('canonicalises upper-case ids when building, refuses them when parsing', () => {
    expect(workDocName(ID.toUpperCase())).toBe(`project:${ID}`);
    expect(parseDocName(`project:${ID.toUpperCase()}`)).toBeNull();
  });
  it('rejects anything not exactly canonical', () => {
    for (const bad of [
      '',
      'project:',
      `project:${ID}:`,
      `project:${ID}:comments`,
      `project:${ID}:review:x`,
      `projects:${ID}`,
      ` project:${ID}`,
      `project:${ID.slice(1)}`,
      'project:not-a-uuid',
      'project:3f0c6a52-8d1e-4b7a-9c2d-1e2f3a4b5c6dd',
      'project:3f0c6a52-8d1e-4b7a-cc2d-1e2f3a4b5c6d', // bad variant
    ]) {
      expect(parseDocName(bad), bad).toBeNull();
    }
    expect(() => workDocName('nope')).toThrow(TypeError);
  });
});
