const test = require('node:test');
test('noop', () => {});
