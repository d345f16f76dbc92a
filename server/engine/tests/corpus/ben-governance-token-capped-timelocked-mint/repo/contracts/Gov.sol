// SPDX-License-Identifier: BSD-3-Clause
pragma solidity ^0.8.20;

contract Gov {
    string public constant name = "Governance";
    string public constant symbol = "GOV";
    uint8 public constant decimals = 18;

    uint256 public totalSupply = 1_000_000_000e18;
    address public minter;
    uint256 public mintingAllowedAfter;
    uint32 public constant minimumTimeBetweenMints = 1 days * 365;
    /// Cap on the percentage of totalSupply that can be minted at each mint.
    uint8 public constant mintCap = 2;

    mapping(address => mapping(address => uint256)) internal allowances;
    mapping(address => uint256) internal balances;

    event MinterChanged(address minter, address newMinter);
    event Transfer(address indexed from, address indexed to, uint256 amount);
    event Approval(address indexed owner, address indexed spender, uint256 amount);

    constructor(address account, address minter_, uint256 mintingAllowedAfter_) {
        require(mintingAllowedAfter_ >= block.timestamp, "Gov::constructor: minting can only begin after deployment");
        balances[account] = totalSupply;
        emit Transfer(address(0), account, totalSupply);
        minter = minter_;
        emit MinterChanged(address(0), minter);
        mintingAllowedAfter = mintingAllowedAfter_;
    }

    function setMinter(address minter_) external {
        require(msg.sender == minter, "Gov::setMinter: only the minter can change the minter address");
        emit MinterChanged(minter, minter_);
        minter = minter_;
    }

    function mint(address dst, uint256 rawAmount) external {
        require(msg.sender == minter, "Gov::mint: only the minter can mint");
        require(block.timestamp >= mintingAllowedAfter, "Gov::mint: minting not allowed yet");
        require(dst != address(0), "Gov::mint: cannot transfer to the zero address");

        mintingAllowedAfter = block.timestamp + minimumTimeBetweenMints;

        require(rawAmount <= (totalSupply * mintCap) / 100, "Gov::mint: exceeded mint cap");
        totalSupply = totalSupply + rawAmount;
        balances[dst] = balances[dst] + rawAmount;
        emit Transfer(address(0), dst, rawAmount);
    }

    function balanceOf(address account) external view returns (uint256) {
        return balances[account];
    }

    function allowance(address account, address spender) external view returns (uint256) {
        return allowances[account][spender];
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowances[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address dst, uint256 amount) external returns (bool) {
        _transferTokens(msg.sender, dst, amount);
        return true;
    }

    function transferFrom(address src, address dst, uint256 amount) external returns (bool) {
        uint256 spenderAllowance = allowances[src][msg.sender];
        if (msg.sender != src && spenderAllowance != type(uint256).max) {
            allowances[src][msg.sender] = spenderAllowance - amount;
        }
        _transferTokens(src, dst, amount);
        return true;
    }

    function _transferTokens(address src, address dst, uint256 amount) internal {
        require(src != address(0), "Gov::_transferTokens: cannot transfer from the zero address");
        require(dst != address(0), "Gov::_transferTokens: cannot transfer to the zero address");
        balances[src] = balances[src] - amount;
        balances[dst] = balances[dst] + amount;
        emit Transfer(src, dst, amount);
    }
}
