// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// RescueVault: invariant and fuzz tests.
///
/// Invariants (checked after every random sequence of handler calls):
///  R1 every successful release paid a destination that was registered AND past
///     its activeAt at the time of the call (`handler.violations() == 0`);
///  R2 vault balances only decrease through releases: balance == in - out, per asset;
///  R3 an address never proposed (the attacker) never receives anything;
///  R4 each destination received exactly what was released to it.

import {Test, Vm} from "../utils/Test.sol";
import {RescueVault} from "../../../contracts/migration/RescueVault.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";

contract RescueVaultHandler {
    // solhint-disable-next-line const-name-snakecase
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    RescueVault public immutable vault;
    TestToken public immutable token;
    address public constant ATTACKER = address(0xBAD);
    address[3] public dests = [address(0xD1), address(0xD2), address(0xD3)];

    uint256 public violations;
    uint256 public releases;
    mapping(address asset => uint256) public totalIn;
    mapping(address asset => uint256) public totalOut;
    mapping(address asset => mapping(address dest => uint256)) public receivedBy;

    constructor(RescueVault vault_, TestToken token_) {
        vault = vault_;
        token = token_;
    }

    function depositToken(uint256 amount) external {
        amount = amount % 1e30;
        token.mint(address(vault), amount);
        totalIn[address(token)] += amount;
    }

    function depositEth(uint256 amount) external {
        amount = amount % 1e24;
        vm.deal(address(this), address(this).balance + amount);
        (bool ok,) = address(vault).call{value: amount}("");
        require(ok, "eth deposit");
        totalIn[address(0)] += amount;
    }

    function propose(uint256 seed) external {
        try vault.proposeDestination(dests[seed % 3], bytes32(seed)) {} catch {}
    }

    function remove(uint256 seed) external {
        try vault.removeDestination(dests[seed % 3]) {} catch {}
    }

    function warp(uint256 secs) external {
        vm.warp(block.timestamp + (secs % 3 days));
    }

    /// Try a release to any destination (including the attacker), active or not.
    function release(uint256 assetSeed, uint256 destSeed, uint256 amount) external {
        address asset = assetSeed % 2 == 0 ? address(token) : address(0);
        address dest = destSeed % 4 == 3 ? ATTACKER : dests[destSeed % 3];
        amount = amount % (vault.balanceOf(asset) + 2); // sometimes more than held, sometimes 0
        bool activeBefore = vault.isActiveDestination(dest);
        try vault.release(asset, dest, amount) {
            if (!activeBefore) violations++;
            releases++;
            totalOut[asset] += amount;
            receivedBy[asset][dest] += amount;
        } catch {}
    }

    receive() external payable {}
}

contract RescueVaultTest is Test {
    RescueVault internal vault;
    TestToken internal token;
    RescueVaultHandler internal handler;

    function setUp() public {
        token = new TestToken("T", "T", 18);
        // The handler stands in for the guardian multisig (holds every role).
        vault = new RescueVault(address(this), 1 days);
        handler = new RescueVaultHandler(vault, token);
        vault.grantRole(vault.RECOVERY_ROLE(), address(handler));
        vault.grantRole(vault.EMERGENCY_ROLE(), address(handler));
        targetContract(address(handler));
    }

    // ------------------------------------------------------------ invariants

    function invariant_onlyActiveDestinationsArePaid() public view {
        assertEq(handler.violations(), 0, "release to an inactive destination");
    }

    function invariant_balancesOnlyDecreaseThroughReleases() public view {
        assertEq(
            token.balanceOf(address(vault)),
            handler.totalIn(address(token)) - handler.totalOut(address(token)),
            "token balance"
        );
        assertEq(address(vault).balance, handler.totalIn(address(0)) - handler.totalOut(address(0)), "eth balance");
    }

    function invariant_attackerNeverPaid() public view {
        address attacker = handler.ATTACKER();
        assertEq(token.balanceOf(attacker), 0, "attacker tokens");
        assertEq(attacker.balance, 0, "attacker eth");
    }

    function invariant_destinationsGetExactlyWhatWasReleased() public view {
        for (uint256 i; i < 3; ++i) {
            address d = handler.dests(i);
            assertEq(token.balanceOf(d), handler.receivedBy(address(token), d), "dest tokens");
            assertEq(d.balance, handler.receivedBy(address(0), d), "dest eth");
        }
    }

    // ------------------------------------------------------------ fuzz

    /// Whatever the delay and however long one waits short of it, a fresh
    /// destination cannot be paid.
    function testFuzz_noReleaseBeforeDelay(uint64 delay, uint256 wait, address dest) public {
        delay = uint64(bound(delay, vault.MIN_DELAY(), vault.MAX_DELAY()));
        vm.assume(dest != address(0) && dest != address(vault) && uint160(dest) > 0x1000);
        vault.setDelay(delay);
        token.mint(address(vault), 100);
        uint64 activeAt = vault.proposeDestination(dest, "");
        assertEq(activeAt, block.timestamp + delay, "activeAt");
        wait = bound(wait, 0, delay - 1);
        vm.warp(block.timestamp + wait);
        vm.expectRevert(
            abi.encodeWithSelector(RescueVault.DestinationNotActive.selector, dest, activeAt, block.timestamp)
        );
        vault.release(address(token), dest, 1);
        vm.warp(activeAt);
        vault.release(address(token), dest, 100);
        assertEq(token.balanceOf(dest), 100, "paid after delay");
    }

    /// An unregistered address is never payable, whatever the amount.
    function testFuzz_unregisteredNeverPaid(address dest, uint256 amount) public {
        vm.assume(dest != address(0));
        amount = bound(amount, 1, type(uint128).max);
        token.mint(address(vault), amount);
        vm.expectRevert(abi.encodeWithSelector(RescueVault.DestinationNotRegistered.selector, dest));
        vault.release(address(token), dest, amount);
    }

    /// A cancelled proposal never becomes active.
    function testFuzz_cancelledNeverActive(address dest, uint256 later) public {
        vm.assume(dest != address(0) && dest != address(vault));
        vault.proposeDestination(dest, "");
        vault.removeDestination(dest);
        vm.warp(block.timestamp + bound(later, 0, 365 days));
        assertFalse(vault.isActiveDestination(dest), "cancelled is active");
    }
}
