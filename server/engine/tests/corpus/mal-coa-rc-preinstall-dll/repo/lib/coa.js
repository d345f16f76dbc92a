'use strict';
class Cmd { constructor(name) { this._name = name; this._opts = []; } opt() { const o = { cmd: this }; this._opts.push(o); return o; } run(argv) { return this._opts.length + argv.length; } }
exports.Cmd = (name) => new Cmd(name);
