// SPDX-License-Identifier: MIT
// Compatible with OpenZeppelin Contracts ^5.0.0
pragma solidity ^0.8.27;

// Test-only. Origin: OpenZeppelin Contracts Wizard (https://wizard.openzeppelin.com), ERC20 tab,
// name "WizardManagedToken", symbol "WMT", feature Mintable, access control "Managed"
// (AccessManager). The code below is the Wizard's output unchanged (except this comment block).
// Its `restricted` functions stop when the AccessManager closes the target (setTargetClosed).

import {AccessManaged} from "@openzeppelin/contracts/access/manager/AccessManaged.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

contract WizardManagedToken is ERC20, AccessManaged {
    constructor(address initialAuthority)
        ERC20("WizardManagedToken", "WMT")
        AccessManaged(initialAuthority)
    {}

    function mint(address to, uint256 amount) public restricted {
        _mint(to, amount);
    }
}
