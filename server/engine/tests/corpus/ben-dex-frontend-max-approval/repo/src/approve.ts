import { Contract, MaxUint256, Signer } from 'ethers';
import ERC20_ABI from './abi/erc20.json';

// Uniswap SwapRouter02 on mainnet.
export const SWAP_ROUTER_02 = '0x68b3465833fb72A70ecDF485E0e4C7bD8665Fc45';

export async function ensureAllowance(signer: Signer, token: string, amount: bigint, infinite: boolean) {
  const owner = await signer.getAddress();
  const erc20 = new Contract(token, ERC20_ABI, signer);
  const current: bigint = await erc20.allowance(owner, SWAP_ROUTER_02);
  if (current >= amount) return null;
  // Users can opt into an unlimited approval to save gas on later swaps.
  const tx = await erc20.approve(SWAP_ROUTER_02, infinite ? MaxUint256 : amount);
  return tx.wait();
}

export async function balance(signer: Signer, token: string) {
  return new Contract(token, ERC20_ABI, signer).balanceOf(await signer.getAddress());
}
