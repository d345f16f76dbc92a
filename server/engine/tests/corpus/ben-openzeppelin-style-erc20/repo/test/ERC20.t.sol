// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import {ERC20} from '../contracts/ERC20.sol';
contract ERC20Test { function testApprove() public { ERC20 t = new ERC20(); t.approve(address(1), type(uint256).max); } }
