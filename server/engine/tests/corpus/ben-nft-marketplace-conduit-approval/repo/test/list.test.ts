import { OPENSEA_CONDUIT } from '../src/list';
import { test, expect } from 'vitest';
test('conduit', () => expect(OPENSEA_CONDUIT).toHaveLength(42));
