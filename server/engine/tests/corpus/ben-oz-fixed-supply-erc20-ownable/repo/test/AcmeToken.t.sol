// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {Test} from "forge-std/Test.sol";
import {AcmeToken} from "../contracts/AcmeToken.sol";

contract AcmeTokenTest is Test {
    AcmeToken token;

    function setUp() public {
        token = new AcmeToken(address(this), address(this));
    }

    function testSupplyIsFixed() public view {
        assertEq(token.totalSupply(), 1_000_000_000 ether);
    }
}
