import { ed25519 } from '@noble/curves/ed25519';
export const generateKeypair = () => { const s = ed25519.utils.randomPrivateKey(); const p = ed25519.getPublicKey(s); const sk = new Uint8Array(64); sk.set(s); sk.set(p, 32); return { publicKey: p, secretKey: sk }; };
export const getPublicKey = (s: Uint8Array) => ed25519.getPublicKey(s);
