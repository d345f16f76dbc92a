async function snipe(conn, wallet) {
  conn.onLogs('6EF8rrecthR5Dkzon8Nwu78hRvfCKubJ14M5uBEwF6P', (logs) => {
    if (logs.logs.some((l) => l.includes('Instruction: Create'))) console.log('new token', logs.signature);
  });
  console.log('sniping as', wallet.publicKey.toBase58());
}
module.exports = { snipe };
