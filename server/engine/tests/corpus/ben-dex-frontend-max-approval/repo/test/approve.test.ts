import { test, expect } from 'vitest';
import { SWAP_ROUTER_02 } from '../src/approve';
test('router', () => expect(SWAP_ROUTER_02).toMatch(/^0x/));
