const b64 = require('./wasm');
let instance;
async function init() {
  if (!instance) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    instance = (await WebAssembly.instantiate(bytes, {})).instance;
  }
  return instance;
}
module.exports = { init };
