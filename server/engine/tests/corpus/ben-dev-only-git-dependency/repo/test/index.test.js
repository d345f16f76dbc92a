'use strict';
const test = require('node:test');
const assert = require('node:assert');
const { getPrice } = require('../src');

test('exports getPrice', () => {
  assert.strictEqual(typeof getPrice, 'function');
});
