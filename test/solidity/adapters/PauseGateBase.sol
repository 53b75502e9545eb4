// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "../utils/Test.sol";
import {PauseGate} from "../../../contracts/adapters/PauseGate.sol";
import {WizardToken} from "../../../contracts/test/WizardToken.sol";
import {WizardManagedToken} from "../../../contracts/test/WizardManagedToken.sol";
import {TestAccessManager} from "../../../contracts/test/TestAccessManager.sol";

/// @notice A bespoke `setPaused(bool)` switch guarded by one operator: the generic selector-pair target.
contract BespokeSwitch {
    address public immutable operator;
    bool public paused;
    uint256 public pauseCalls;

    error NotOperator(address caller);

    constructor(address operator_) {
        operator = operator_;
    }

    function setPaused(bool p) external {
        if (msg.sender != operator) revert NotOperator(msg.sender);
        if (p) pauseCalls++;
        paused = p;
    }
}

/// @notice Shared fixture: a gate administered by this test contract (standing for the guardian
/// multisig), three real targets (Wizard ERC20Pausable + AccessControl, a Wizard AccessManaged
/// token under OpenZeppelin's AccessManager, a bespoke switch) and one switch the gate cannot
/// unpause (registered without an unpause call).
abstract contract PauseGateBase is Test {
    address internal constant SENTINEL = address(0x5E17);
    address internal constant ATTACKER = address(0xBAD);
    address internal constant USER = address(0xA11CE);
    uint64 internal constant MAX = 1 days;
    uint64 internal constant COOLDOWN = 1 hours;
    uint64 internal constant ADMIN_ROLE = 0;

    PauseGate internal gate;
    WizardToken internal token;
    TestAccessManager internal manager;
    WizardManagedToken internal managed;
    BespokeSwitch internal bespoke;
    BespokeSwitch internal oneWay;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        gate = new PauseGate(address(this), SENTINEL, COOLDOWN);
        token = new WizardToken(address(this), address(gate), address(this));
        manager = new TestAccessManager(address(this));
        managed = new WizardManagedToken(address(manager));
        // The gate may close targets: AccessManager restricts setTargetClosed to ADMIN_ROLE.
        manager.grantRole(ADMIN_ROLE, address(gate), 0);
        bespoke = new BespokeSwitch(address(gate));
        oneWay = new BespokeSwitch(address(gate));

        gate.registerPausable(address(token), MAX, true);
        gate.registerAccessManaged(address(manager), address(managed), MAX, true);
        gate.registerSelectorPair(
            address(bespoke), abi.encodeCall(BespokeSwitch.setPaused, (true)), abi.encodeCall(BespokeSwitch.setPaused, (false)), MAX
        );
        gate.registerSelectorPair(address(oneWay), abi.encodeCall(BespokeSwitch.setPaused, (true)), "", MAX);
        token.mint(USER, 1000 ether);
    }

    function _targetPaused(address t) internal view returns (bool) {
        if (t == address(token)) return token.paused();
        if (t == address(managed)) return manager.isTargetClosed(address(managed));
        return BespokeSwitch(t).paused();
    }

    function _sentinelPause(address t, uint64 d) internal {
        vm.prank(SENTINEL);
        gate.sentinelPause(t, d);
    }
}
