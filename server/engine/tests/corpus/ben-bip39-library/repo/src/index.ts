import { pbkdf2 } from '@noble/hashes/pbkdf2';
import { sha256 } from '@noble/hashes/sha256';
import { sha512 } from '@noble/hashes/sha512';
import { randomBytes } from '@noble/hashes/utils';
import { wordlist } from './wordlists/english';

const salt = (password = '') => 'mnemonic' + password;

export function entropyToMnemonic(entropy: Uint8Array): string {
  const bits = Array.from(entropy).map((b) => b.toString(2).padStart(8, '0')).join('');
  const cs = Array.from(sha256(entropy)).map((b) => b.toString(2).padStart(8, '0')).join('').slice(0, entropy.length / 4);
  return (bits + cs).match(/(.{1,11})/g)!.map((b) => wordlist[parseInt(b, 2)]).join(' ');
}

export function generateMnemonic(strength = 128): string {
  return entropyToMnemonic(randomBytes(strength / 8));
}

export function mnemonicToSeedSync(mnemonic: string, password?: string): Uint8Array {
  return pbkdf2(sha512, mnemonic.normalize('NFKD'), salt(password).normalize('NFKD'), { c: 2048, dkLen: 64 });
}
