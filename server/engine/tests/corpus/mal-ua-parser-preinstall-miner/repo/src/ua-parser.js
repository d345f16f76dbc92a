(function (window, undefined) {
  'use strict';
  var LIBVERSION = '0.7.29';
  var UAParser = function (ua) { this.ua = ua || ''; };
  UAParser.prototype.getBrowser = function () { var m = /(chrome|firefox|safari)\/([\w\.]+)/i.exec(this.ua); return m ? { name: m[1], version: m[2] } : {}; };
  UAParser.VERSION = LIBVERSION;
  if (typeof exports !== 'undefined') { module.exports = UAParser; } else { window.UAParser = UAParser; }
})(typeof window === 'object' ? window : this);
