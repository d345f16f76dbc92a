import * as anchor from '@coral-xyz/anchor';
import { Connection, Keypair } from '@solana/web3.js';
import fs from 'fs';
import os from 'os';

export function loadWallet(path = process.env.ANCHOR_WALLET ?? `${os.homedir()}/.config/solana/id.json`): Keypair {
  const secretKey = Uint8Array.from(JSON.parse(fs.readFileSync(path, 'utf8')));
  return Keypair.fromSecretKey(secretKey);
}

export function provider(url = 'https://api.devnet.solana.com') {
  return new anchor.AnchorProvider(new Connection(url), new anchor.Wallet(loadWallet()), {});
}
