require('@nomicfoundation/hardhat-toolbox');

// Hardhat's well-known development accounts: public, never fund them.
const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
const DEPLOYER_PRIVATE_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

module.exports = {
  solidity: '0.8.24',
  networks: {
    hardhat: { accounts: { mnemonic: DEV_MNEMONIC } },
    localhost: { url: 'http://127.0.0.1:8545', accounts: [DEPLOYER_PRIVATE_KEY] },
    sepolia: { url: process.env.SEPOLIA_RPC_URL || '', accounts: process.env.PRIVATE_KEY ? [process.env.PRIVATE_KEY] : [] },
  },
};
