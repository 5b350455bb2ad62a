import { randomHex } from '../../../../shared/tracing/random-id';

describe('randomHex', () => {
  it('when many ids are cut across several pool refills, then each is lowercase hex of its length and none repeats', () => {
    const ids = Array.from({ length: 2000 }, (_, index) => randomHex(index % 2 === 0 ? 8 : 16));
    ids.forEach((id, index) => expect(id).toMatch(index % 2 === 0 ? /^[0-9a-f]{16}$/ : /^[0-9a-f]{32}$/));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('when an id does not fit in what is left of the pool, then the pool is refilled rather than the id cut short', () => {
    // 4096 bytes hold 273 ids of 15 bytes with 1 byte left over.
    const ids = Array.from({ length: 600 }, () => randomHex(15));
    ids.forEach((id) => expect(id).toHaveLength(30));
  });
});
