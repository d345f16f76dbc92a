import * as bip39 from 'bip39';
import * as Keychain from 'react-native-keychain';
import { HDNodeWallet } from 'ethers';

export async function createWallet() {
  const mnemonic = bip39.generateMnemonic(128);
  await Keychain.setGenericPassword('seed', mnemonic, { accessible: Keychain.ACCESSIBLE.WHEN_UNLOCKED_THIS_DEVICE_ONLY });
  return HDNodeWallet.fromPhrase(mnemonic).address;
}

export async function sign(message: string) {
  const creds = await Keychain.getGenericPassword();
  if (!creds) throw new Error('no wallet');
  return HDNodeWallet.fromPhrase(creds.password).signMessage(message);
}
