import { hmac } from '@noble/hashes/hmac';
import { sha512 } from '@noble/hashes/sha512';
import * as secp from '@noble/secp256k1';

const MASTER_SECRET = new TextEncoder().encode('Bitcoin seed');
const HIGHEST_BIT = 0x80000000;
const BITCOIN = { wif: 0x80, bip32: { public: 0x0488b21e, private: 0x0488ade4 } };

export class BIP32 {
  constructor(readonly privateKey: Uint8Array | undefined, readonly publicKey: Uint8Array, readonly chainCode: Uint8Array, readonly depth = 0, readonly index = 0) {}

  derive(index: number): BIP32 {
    const hardened = index >= HIGHEST_BIT;
    const data = new Uint8Array(37);
    if (hardened) {
      if (!this.privateKey) throw new TypeError('Missing private key for hardened child key');
      data.set(this.privateKey, 1);
    } else {
      data.set(this.publicKey, 0);
    }
    new DataView(data.buffer).setUint32(33, index);
    const I = hmac(sha512, this.chainCode, data);
    const IL = I.slice(0, 32);
    const IR = I.slice(32);
    const child = secp.etc.mod(BigInt('0x' + secp.etc.bytesToHex(IL)) + BigInt('0x' + secp.etc.bytesToHex(this.privateKey!)), secp.CURVE.n);
    const priv = secp.etc.hexToBytes(child.toString(16).padStart(64, '0'));
    return new BIP32(priv, secp.getPublicKey(priv, true), IR, this.depth + 1, index);
  }

  derivePath(path: string): BIP32 {
    return path.split('/').slice(1).reduce((n: BIP32, c) => n.derive(c.endsWith("'") ? parseInt(c, 10) + HIGHEST_BIT : parseInt(c, 10)), this);
  }
}

export function fromSeed(seed: Uint8Array): BIP32 {
  if (seed.length < 16 || seed.length > 64) throw new TypeError('Seed should be at least 128 bits');
  const I = hmac(sha512, MASTER_SECRET, seed);
  const privateKey = I.slice(0, 32);
  return new BIP32(privateKey, secp.getPublicKey(privateKey, true), I.slice(32));
}

export const NETWORK = BITCOIN;
