import { mnemonicToSeedSync } from '../src';
import vectors from './vectors.json';
import { test, expect } from 'vitest';

test('mnemonic seed', () => {
  const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
  expect(Buffer.from(mnemonicToSeedSync(mnemonic, 'TREZOR')).toString('hex').length).toBe(128);
  for (const [, m] of vectors.english) expect(m.split(' ').length).toBe(12);
});
