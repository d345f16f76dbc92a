const assert = require('assert');
const { atobPolyfill } = require('../src/base64');
assert.strictEqual(atobPolyfill('aGk='), 'hi\u0000');
