import bs58 from 'bs58';
export class PublicKey { constructor(private b: Uint8Array) {} toBase58() { return bs58.encode(this.b); } toBytes() { return this.b; } }
