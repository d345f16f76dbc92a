const fs = require('fs');
const os = require('os');
const { Connection, Keypair, VersionedTransaction } = require('@solana/web3.js');

const KEYPAIR_PATH = process.env.KEYPAIR ?? `${os.homedir()}/.config/solana/id.json`;
const wallet = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(KEYPAIR_PATH, 'utf8'))));
const conn = new Connection(process.env.RPC_URL ?? 'https://api.mainnet-beta.solana.com');
const WEBHOOK = process.env.DISCORD_WEBHOOK_URL; // e.g. https://discord.com/api/webhooks/<id>/<token>

async function notify(text) {
  if (!WEBHOOK) return;
  await fetch(WEBHOOK, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ content: text }) });
}

async function buy(amountUsdc) {
  const q = await (await fetch(`https://quote-api.jup.ag/v6/quote?inputMint=EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v&outputMint=So11111111111111111111111111111111111111112&amount=${amountUsdc}`)).json();
  const { swapTransaction } = await (await fetch('https://quote-api.jup.ag/v6/swap', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ quoteResponse: q, userPublicKey: wallet.publicKey.toBase58() }) })).json();
  const tx = VersionedTransaction.deserialize(Buffer.from(swapTransaction, 'base64'));
  tx.sign([wallet]);
  const sig = await conn.sendRawTransaction(tx.serialize());
  await notify(`Bought ${q.outAmount / 1e9} SOL for ${amountUsdc / 1e6} USDC: https://solscan.io/tx/${sig}`);
}

setInterval(() => buy(10_000_000).catch((e) => notify(`DCA failed: ${e.message}`)), 24 * 3600 * 1000);
