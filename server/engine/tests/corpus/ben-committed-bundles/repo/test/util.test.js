import { greet } from '../src/util.js';
import { test, expect } from 'vitest';
test('greet', () => expect(greet('a')).toContain('a'));
