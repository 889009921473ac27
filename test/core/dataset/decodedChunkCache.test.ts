import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecodedChunkCache } from '../../../src/core/dataset/decodedChunkCache';

describe('DecodedChunkCache', () => {
  it('evicts the least recently used chunks beyond its byte budget, never the newest', () => {
    const cache = new DecodedChunkCache(1000);
    const chunk = (chars: number): string[] => ['x'.repeat(chars)];
    cache.set('a', chunk(400));
    cache.set('b', chunk(400));
    assert.ok(cache.get('a')); // a is now more recent than b
    cache.set('c', chunk(400));
    assert.deepEqual([cache.get('a') !== undefined, cache.get('b') !== undefined, cache.get('c') !== undefined], [true, false, true]);
    assert.ok(cache.heldBytes <= 1000);
    cache.set('huge', chunk(5000));
    assert.equal(cache.size, 1);
    assert.ok(cache.get('huge'));
  });
});
