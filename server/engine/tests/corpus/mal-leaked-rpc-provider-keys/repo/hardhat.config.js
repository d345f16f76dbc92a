require('@nomicfoundation/hardhat-toolbox');

module.exports = {
  solidity: '0.8.24',
  networks: {
    mainnet: { url: 'https://mainnet.infura.io/v3/b1bff6346e3f64b059d393f42d4a9f7d' },
    sepolia: { url: 'https://eth-sepolia.g.alchemy.com/v2/grq3aNIZ2qGG8Quorvc5zJnzVnVjs6Ug' },
  },
  etherscan: { apiKey: 'PR1JTKNLB0IWKD57SSFVHYAMJ4U2FTPLFQ' },
};
