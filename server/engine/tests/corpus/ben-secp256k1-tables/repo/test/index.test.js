const assert = require('assert');
const { getPublicKey } = require('..');
const privateKey = Buffer.from('0000000000000000000000000000000000000000000000000000000000000001', 'hex');
assert.ok(getPublicKey(privateKey));
