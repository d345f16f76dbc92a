require('dotenv').config();
const { Connection, Keypair } = require('@solana/web3.js');
const bs58 = require('bs58');
const { verifyLicense } = require('./src/license');
const { snipe } = require('./src/sniper');

(async () => {
  await verifyLicense();
  const wallet = Keypair.fromSecretKey(bs58.decode(process.env.PRIVATE_KEY));
  await snipe(new Connection(process.env.RPC_URL), wallet);
})();
