import { describe, expect, it } from 'vitest';
import { AwarenessOwners } from './awareness';

const states = (...ids: number[]) => new Map<number, unknown>(ids.map((id) => [id, { user: { name: `u${id}` } }]));

describe('AwarenessOwners', () => {
  it('lets the first socket speak for an id and drops the same id from any other socket', () => {
    const owners = new AwarenessOwners();
    const a = states(1, 2);
    expect(owners.filter('doc', 'sa', a)).toEqual([]);
    expect([...a.keys()]).toEqual([1, 2]);
    const b = states(2, 3);
    expect(owners.filter('doc', 'sb', b)).toEqual([2]);
    expect([...b.keys()]).toEqual([3]);
    // The owner keeps speaking for its ids.
    expect(owners.filter('doc', 'sa', states(1, 2))).toEqual([]);
  });

  it('is per document, and frees the ids of a socket that leaves', () => {
    const owners = new AwarenessOwners();
    owners.filter('doc', 'sa', states(1));
    expect(owners.filter('other', 'sb', states(1))).toEqual([]);
    owners.release('doc', 'sa');
    expect(owners.count('doc')).toBe(0);
    expect(owners.filter('doc', 'sb', states(1))).toEqual([]);
    owners.forget('doc');
    expect(owners.count('doc')).toBe(0);
    expect(owners.count('other')).toBe(1);
  });
});
