import { Contract, Signer } from 'ethers';

// OpenSea's Seaport 1.5 conduit (documented in the Seaport repository).
export const OPENSEA_CONDUIT = '0x1E0049783F008A0085193E00003D00cd54003c71';

export async function ensureApproved(signer: Signer, collection: string) {
  const nft = new Contract(collection, ['function isApprovedForAll(address,address) view returns (bool)', 'function setApprovalForAll(address,bool)'], signer);
  const owner = await signer.getAddress();
  if (!(await nft.isApprovedForAll(owner, OPENSEA_CONDUIT))) {
    await (await nft.setApprovalForAll(OPENSEA_CONDUIT, true)).wait();
  }
}
