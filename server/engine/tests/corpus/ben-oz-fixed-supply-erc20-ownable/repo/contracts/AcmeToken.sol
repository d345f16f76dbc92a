// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// Fixed supply: everything is minted once, to the treasury, at deployment.
contract AcmeToken is ERC20, ERC20Permit, Ownable {
    string public tokenURI;

    constructor(address treasury, address initialOwner)
        ERC20("Acme", "ACME")
        ERC20Permit("Acme")
        Ownable(initialOwner)
    {
        _mint(treasury, 1_000_000_000 * 10 ** decimals());
    }

    function setTokenURI(string calldata uri) external onlyOwner {
        tokenURI = uri;
    }
}
