var test = require('tape');
var flatmap = require('..');
test('maps', function (t) { t.ok(flatmap); t.end(); });
