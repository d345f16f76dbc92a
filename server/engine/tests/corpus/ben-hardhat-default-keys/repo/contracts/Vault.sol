// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;
import {IERC20} from '@openzeppelin/contracts/token/ERC20/IERC20.sol';
contract Vault {
    mapping(address => uint256) public shares;
    IERC20 public immutable asset;
    constructor(IERC20 a) { asset = a; }
    function deposit(uint256 amt) external { asset.transferFrom(msg.sender, address(this), amt); shares[msg.sender] += amt; }
    function withdraw(uint256 amt) external { shares[msg.sender] -= amt; asset.transfer(msg.sender, amt); }
}
