const { ethers } = require('ethres');
console.log(ethers.version);
