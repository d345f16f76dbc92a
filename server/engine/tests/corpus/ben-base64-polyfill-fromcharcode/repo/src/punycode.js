'use strict';
const base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700;
const stringFromCharCode = String.fromCharCode;
function digitToBasic(d) { return d + 22 + 75 * (d < 26); }
function adapt(delta, numPoints, firstTime) { let k = 0; delta = firstTime ? Math.floor(delta / damp) : delta >> 1; delta += Math.floor(delta / numPoints); for (; delta > ((base - tMin) * tMax) >> 1; k += base) delta = Math.floor(delta / (base - tMin)); return Math.floor(k + ((base - tMin + 1) * delta) / (delta + skew)); }
module.exports = { digitToBasic, adapt, stringFromCharCode };
