'use strict';
const lookup = [];
const revLookup = [];
const code = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < code.length; ++i) { lookup[i] = code[i]; revLookup[code.charCodeAt(i)] = i; }

function decode(b64) {
  const out = [];
  for (let i = 0; i < b64.length; i += 4) {
    const n = (revLookup[b64.charCodeAt(i)] << 18) | (revLookup[b64.charCodeAt(i + 1)] << 12) | ((revLookup[b64.charCodeAt(i + 2)] || 0) << 6) | (revLookup[b64.charCodeAt(i + 3)] || 0);
    out.push((n >> 16) & 255, (n >> 8) & 255, n & 255);
  }
  return Uint8Array.from(out);
}

function toLatin1(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

module.exports = { decode, toLatin1, atobPolyfill: (s) => toLatin1(decode(s)) };
