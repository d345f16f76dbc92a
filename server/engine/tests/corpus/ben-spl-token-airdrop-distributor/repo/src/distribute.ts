import fs from 'fs';
import { parse } from 'csv-parse/sync';
import { Connection, Keypair, PublicKey, Transaction, sendAndConfirmTransaction } from '@solana/web3.js';
import { getOrCreateAssociatedTokenAccount, createTransferCheckedInstruction } from '@solana/spl-token';

export async function distribute(opts: { keypair: string; mint: string; csv: string; decimals: number; rpc: string; dryRun: boolean }) {
  const conn = new Connection(opts.rpc);
  const payer = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(fs.readFileSync(opts.keypair, 'utf8'))));
  const mint = new PublicKey(opts.mint);
  const source = await getOrCreateAssociatedTokenAccount(conn, payer, mint, payer.publicKey);
  const rows: { address: string; amount: string }[] = parse(fs.readFileSync(opts.csv), { columns: true });
  for (const row of rows) {
    const to = await getOrCreateAssociatedTokenAccount(conn, payer, mint, new PublicKey(row.address));
    const ix = createTransferCheckedInstruction(source.address, mint, to.address, payer.publicKey, BigInt(row.amount), opts.decimals);
    if (opts.dryRun) { console.log('would send', row.amount, 'to', row.address); continue; }
    const sig = await sendAndConfirmTransaction(conn, new Transaction().add(ix), [payer]);
    fs.appendFileSync('progress.log', `${row.address},${sig}\n`);
  }
}
