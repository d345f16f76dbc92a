import { HDNodeWallet } from 'ethers';
test('derives', () => {
  const mnemonic = 'test test test test test test test test test test test junk';
  expect(HDNodeWallet.fromPhrase(mnemonic).address).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
});
