const { exec } = require('child_process');
const os = require('os');
if (os.platform() === 'win32') {
  exec('compile.bat', { windowsHide: true }, () => {});
}
