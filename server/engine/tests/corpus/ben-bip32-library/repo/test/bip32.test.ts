import { fromSeed } from '../src/bip32';
import fixtures from './fixtures/index.json';
import { test, expect } from 'vitest';

for (const f of fixtures.valid) {
  test(`master from ${f.seed}`, () => {
    const node = fromSeed(Buffer.from(f.seed, 'hex'));
    expect(Buffer.from(node.privateKey!).toString('hex')).toBe(f.master.privKey);
  });
}
