import { Keypair } from '../src/keypair';
import { expect } from 'chai';
describe('Keypair', () => { it('generates', () => { expect(Keypair.generate().secretKey.length).to.eq(64); }); });
