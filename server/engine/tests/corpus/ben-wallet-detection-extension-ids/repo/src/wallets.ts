export const WALLETS = [
  { name: 'MetaMask', chromeId: 'nkbihfbeogaeaoehlefnkodbefgpgknn', detect: () => (window as any).ethereum?.isMetaMask },
  { name: 'Phantom', chromeId: 'bfnaelmomeimhlpmgjnjophhpkkoljpa', detect: () => (window as any).phantom?.solana?.isPhantom },
  { name: 'Coinbase Wallet', chromeId: 'hnfanknocfeofbddgcijnmhnfnkdnaad', detect: () => (window as any).ethereum?.isCoinbaseWallet },
];

export const storeUrl = (id: string) => `https://chromewebstore.google.com/detail/${id}`;

export async function report(installed: string[]) {
  // Anonymous usage counts for the docs site.
  await fetch('https://stats.wallet-detect.example/v1/ping', { method: 'POST', body: JSON.stringify({ installed: installed.length }) });
}
