import { test } from 'vitest';
test('exports', () => {});
