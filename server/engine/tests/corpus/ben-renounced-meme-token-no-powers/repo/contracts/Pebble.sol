// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract Pebble is ERC20, Ownable {
    bool public limited = true;
    uint256 public immutable maxHoldingAmount;
    address public uniswapV2Pair;

    constructor() ERC20("Pebble", "PEBBLE") Ownable(msg.sender) {
        uint256 supply = 420_690_000_000_000 * 1e18;
        maxHoldingAmount = supply / 100;
        _mint(msg.sender, supply);
    }

    /// One-way: the anti-bot holding limit can only be lifted, never set again.
    function startTrading(address pair) external onlyOwner {
        require(uniswapV2Pair == address(0), "started");
        uniswapV2Pair = pair;
    }

    function removeLimits() external onlyOwner {
        limited = false;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (uniswapV2Pair == address(0)) {
            require(from == owner() || to == owner(), "trading is not started");
        } else if (limited && from == uniswapV2Pair) {
            require(balanceOf(to) + value <= maxHoldingAmount, "Forbid");
        }
        super._update(from, to, value);
    }

    function burn(uint256 value) external {
        _burn(msg.sender, value);
    }
}
