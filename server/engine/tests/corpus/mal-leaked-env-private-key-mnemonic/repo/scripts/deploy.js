require('dotenv').config();
const { ethers } = require('ethers');
const wallet = ethers.Wallet.fromPhrase(process.env.MNEMONIC);
console.log(wallet.address);
