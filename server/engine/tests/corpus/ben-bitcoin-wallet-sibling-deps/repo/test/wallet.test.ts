import { account } from '../src/wallet';
import { test, expect } from 'vitest';
test('bip84 vector', () => {
  const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
  expect(account(mnemonic)).toBe('bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu');
});
