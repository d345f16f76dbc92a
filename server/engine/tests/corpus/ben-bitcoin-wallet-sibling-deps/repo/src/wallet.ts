import BIP32Factory from 'bip32';
import * as bip39 from 'bip39';
import * as ecc from 'tiny-secp256k1';
import * as bitcoin from 'bitcoinjs-lib';

const bip32 = BIP32Factory(ecc);

export function account(mnemonic: string, index = 0) {
  const seed = bip39.mnemonicToSeedSync(mnemonic);
  const node = bip32.fromSeed(seed).derivePath(`m/84'/0'/0'/0/${index}`);
  return bitcoin.payments.p2wpkh({ pubkey: node.publicKey }).address!;
}
