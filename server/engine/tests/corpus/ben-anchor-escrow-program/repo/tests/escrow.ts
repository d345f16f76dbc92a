import * as anchor from '@coral-xyz/anchor';
describe('escrow', () => { it('deposits', async () => { anchor.setProvider(anchor.AnchorProvider.env()); }); });
