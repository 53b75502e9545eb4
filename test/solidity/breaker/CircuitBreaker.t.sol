// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Unit tests of the standalone CircuitBreaker: registration, the hooks, protocol-wide limits
/// across two protected contracts (netting across them within one transaction), queued
/// outflows paid by the protected contract, and vetoes that leave the tokens in place.

import {Test} from "../utils/Test.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {BreakerCore} from "../../../contracts/breaker/BreakerCore.sol";
import {CircuitBreaker} from "../../../contracts/breaker/CircuitBreaker.sol";
import {ICircuitBreaker} from "../../../contracts/breaker/ICircuitBreaker.sol";
import {Scopes} from "../../../contracts/breaker/Scopes.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {ProtectedPool} from "./BreakerHarness.sol";

contract CircuitBreakerTest is Test {
    CircuitBreaker internal cb;
    TestToken internal token;
    ProtectedPool internal pool1;
    ProtectedPool internal pool2;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);

    function setUp() public {
        vm.warp(1_700_000_000);
        cb = new CircuitBreaker(address(this), 7 days, 1 days);
        token = new TestToken("T", "T", 18);
        pool1 = new ProtectedPool(cb);
        pool2 = new ProtectedPool(cb);
        cb.registerProtected(address(pool1));
        cb.registerProtected(address(pool2));
        token.mint(address(pool1), 100_000e18);
        token.mint(address(pool2), 100_000e18);
        cb.setLimit(
            address(token),
            ICircuitBreaker.LimitConfig({
                maxCapacity: 1000e18,
                window: 1 days,
                minTvl: 0,
                mode: ICircuitBreaker.BreachMode.Queue,
                settlementDelay: 1 hours,
                inflowCredit: false
            })
        );
    }

    function test_constructorAndRegistration() public {
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ZeroAddress.selector));
        new CircuitBreaker(address(0), 7 days, 1 days);
        assertTrue(cb.isProtected(address(pool1)), "registered");
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.ZeroAddress.selector));
        cb.registerProtected(address(0));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.NotAContract.selector, ALICE));
        cb.registerProtected(ALICE);
        vm.expectRevert(abi.encodeWithSelector(CircuitBreaker.AlreadyRegistered.selector, address(pool1)));
        cb.registerProtected(address(pool1));
        bytes32 recovery = cb.RECOVERY_ROLE();
        vm.expectRevert(
            abi.encodeWithSelector(IAccessControl.AccessControlUnauthorizedAccount.selector, ALICE, recovery)
        );
        vm.prank(ALICE);
        cb.registerProtected(address(token));
        cb.deregisterProtected(address(pool2));
        assertFalse(cb.isProtected(address(pool2)), "deregistered");
        vm.expectRevert(abi.encodeWithSelector(CircuitBreaker.UnregisteredCaller.selector, address(pool2)));
        cb.deregisterProtected(address(pool2));
        vm.expectRevert(abi.encodeWithSelector(CircuitBreaker.UnregisteredCaller.selector, address(pool2)));
        pool2.withdraw(bytes32(0), address(token), 1, ALICE);
    }

    function test_hooksRejectUnregisteredCallers() public {
        vm.expectRevert(abi.encodeWithSelector(CircuitBreaker.UnregisteredCaller.selector, address(this)));
        cb.onOutflow(bytes32(0), address(token), 1, ALICE, ALICE);
        vm.expectRevert(abi.encodeWithSelector(CircuitBreaker.UnregisteredCaller.selector, address(this)));
        cb.onInflow(bytes32(0), address(token), 1, ALICE, ALICE);
        vm.expectRevert(abi.encodeWithSelector(CircuitBreaker.UnregisteredCaller.selector, address(this)));
        cb.onRepayment(address(token), 1);
    }

    function test_protocolWideLimitAndNettingAcrossContracts() public {
        // one transaction: deposit 5000 into pool1, withdraw 5000 + 1000 from pool2: nets out
        vm.startPrank(ALICE);
        pool1.deposit(Scopes.DEPOSIT, address(token), 5000e18);
        (uint256 payNow, uint256 id) = pool2.withdraw(Scopes.WITHDRAW, address(token), 6000e18, ALICE);
        vm.stopPrank();
        assertEq(payNow, 6000e18, "net outflow == capacity");
        assertEq(id, 0, "nothing queued");
        assertEq(cb.availableCapacity(address(token)), 0, "shared capacity used");
        // more in the same transaction is queued, and the protected contract pays it on claim
        (payNow, id) = pool1.withdraw(Scopes.WITHDRAW, address(token), 10e18, BOB);
        assertEq(payNow, 0, "nothing now");
        ICircuitBreaker.QueuedOutflow memory q = cb.queuedOutflow(id);
        assertEq(q.source, address(pool1), "owed by pool1");
        assertEq(cb.queuedTotal(address(token)), 10e18, "liability");
        vm.warp(block.timestamp + 1 hours);
        uint256 before = token.balanceOf(address(pool1));
        cb.claimQueuedOutflow(id);
        assertEq(token.balanceOf(BOB), 10e18, "paid");
        assertEq(before - token.balanceOf(address(pool1)), 10e18, "by pool1");
        // repayments are recorded even while paused
        cb.pause(Scopes.GLOBAL, 1 hours);
        pool1.repay(address(token), 1e18);
        vm.expectRevert(
            abi.encodeWithSelector(BreakerCore.ScopePaused.selector, Scopes.GLOBAL, uint64(block.timestamp + 1 hours))
        );
        pool1.deposit(Scopes.DEPOSIT, address(token), 1);
        vm.expectRevert(
            abi.encodeWithSelector(BreakerCore.ScopePaused.selector, Scopes.GLOBAL, uint64(block.timestamp + 1 hours))
        );
        cb.checkScope(Scopes.DEPOSIT);
    }

    function test_vetoLeavesTokensWithSource() public {
        (, uint256 id) = pool1.withdraw(Scopes.WITHDRAW, address(token), 1500e18, BOB);
        assertEq(token.balanceOf(BOB), 1000e18, "headroom");
        uint256 before = token.balanceOf(address(pool1));
        cb.vetoQueuedOutflow(id);
        assertEq(token.balanceOf(address(pool1)), before, "never left the pool");
        assertEq(cb.queuedTotal(address(token)), 0, "settled");
        cb.checkScope(Scopes.DEPOSIT); // not paused: passes
    }

    function test_settleOnlyFromBreaker() public {
        vm.expectRevert(abi.encodeWithSelector(ProtectedPool.OnlyBreaker.selector));
        pool1.settleQueuedOutflow(address(token), ALICE, 1);
    }
}
