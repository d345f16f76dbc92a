import { test } from 'vitest';
test('noop', () => {});
