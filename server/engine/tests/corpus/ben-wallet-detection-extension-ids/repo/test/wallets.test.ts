import { WALLETS } from '../src/wallets';
import { test, expect } from 'vitest';
test('three', () => expect(WALLETS.length).toBe(3));
