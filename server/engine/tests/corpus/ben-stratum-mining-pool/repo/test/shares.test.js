const { validateShare } = require('../src/shares');
require('assert').ok(validateShare({ nonce: '00000000' }));
