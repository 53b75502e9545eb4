// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// Regression tests of issue 11 ("Bounded powers, proven"): one test (or a few) per finding,
/// each written from the attacker's side and each failing on the code before the fix (the
/// comment says how it failed). Powers are exercised through the real GuardianMultisig.

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICircuitBreaker} from "../../../contracts/breaker/ICircuitBreaker.sol";
import {BreakerCore} from "../../../contracts/breaker/BreakerCore.sol";
import {Breakable} from "../../../contracts/breaker/Breakable.sol";
import {CircuitBreaker} from "../../../contracts/breaker/CircuitBreaker.sol";
import {Scopes} from "../../../contracts/breaker/Scopes.sol";
import {GuardianMultisig} from "../../../contracts/guardian/GuardianMultisig.sol";
import {ProtectedVault} from "../../../contracts/examples/ProtectedVault.sol";
import {ProtectedLendingMarket} from "../../../contracts/examples/ProtectedLendingMarket.sol";
import {PositionMigrator} from "../../../contracts/migration/PositionMigrator.sol";
import {RescueVault} from "../../../contracts/migration/RescueVault.sol";
import {FeeOnTransferTestToken} from "../../../contracts/migration/test/FeeOnTransferTestToken.sol";
import {ExternalProtectedVault} from "../../../contracts/test/ExternalProtectedVault.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {VaultHarness} from "../breaker/BreakerHarness.sol";
import {ThreatBase, CircuitBreakerHarness, Guardians as G} from "./ThreatBase.sol";

contract FindingsTest is ThreatBase {
    // ================================================================ finding 1

    /// Finding 1 (High): a quarantined holder moved its shares to a fresh address that redeemed.
    /// Old code: the transfer succeeded and FRESH withdrew the position.
    function test_F1_quarantinedHolderCannotTransferShares() public {
        uint256 shares = depositFor(ATTACKER, 100e18);
        fast(G.QUARANTINE, address(vault), addr(ATTACKER), G.one(0));
        vm.prank(ATTACKER);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, ATTACKER));
        vault.transfer(FRESH, shares);
        // Nor through an allowance to a fresh spender, nor to a quarantined receiver.
        vm.prank(ATTACKER);
        vault.approve(FRESH, shares);
        vm.prank(FRESH);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, ATTACKER));
        vault.transferFrom(ATTACKER, FRESH, shares);
        assertEq(vault.balanceOf(FRESH), 0, "fresh address got nothing");
    }

    /// Finding 1: a quarantined caller deposited for someone else (only the receiver was checked).
    /// Old code: the deposit succeeded.
    function test_F1_quarantinedCallerCannotDepositForOthers() public {
        fast(G.QUARANTINE, address(vault), addr(ATTACKER), G.one(1));
        token.mint(ATTACKER, 10e18);
        vm.startPrank(ATTACKER);
        token.approve(address(vault), 10e18);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, ATTACKER));
        vault.deposit(10e18, FRESH);
        vm.stopPrank();
    }

    /// Finding 1 (and 4): the quarantine expires like a pause; the holder can move shares again.
    function test_F1_quarantineHoldsOnlyUntilItsExpiry() public {
        uint256 shares = depositFor(ALICE, 10e18);
        fast(G.QUARANTINE, address(vault), addr(ALICE), G.one(0));
        vm.warp(block.timestamp + MAX_PAUSE);
        vm.prank(ALICE);
        vault.transfer(BOB, shares);
        assertEq(vault.balanceOf(BOB), shares, "transfer after expiry");
    }

    // ================================================================ finding 2

    function _migrationFixture() internal returns (PositionMigrator migrator, ProtectedVault fixedVault) {
        migrator = new PositionMigrator(address(this));
        fixedVault = new ProtectedVault(IERC20(address(token)), "Fixed", "fAST", address(this), MAX_PAUSE, GRACE);
        fixedVault.setLimit(address(token), queueCfg(type(uint96).max));
        migrator.setRoute(address(vault), address(fixedVault), true);
        // setMigrator is RECOVERY_ROLE (a slow Call in production): impersonate the multisig here.
        vm.prank(address(ms));
        vault.setMigrator(address(migrator));
    }

    /// Finding 2 (Medium): a quarantined attacker migrated its whole position to the fixedVault vault.
    /// Old code: migratePosition only checked the freeze; the migration went through.
    function test_F2_quarantinedOwnerCannotMigrate() public {
        (PositionMigrator migrator, ProtectedVault fixedVault) = _migrationFixture();
        depositFor(ATTACKER, 100e18);
        fast(G.QUARANTINE, address(vault), addr(ATTACKER), G.one(2));
        vm.prank(ATTACKER);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, ATTACKER));
        migrator.migrate(address(vault), address(fixedVault), type(uint256).max, 0);
    }

    /// Finding 2: a migration counts against the outflow limit and never exceeds it, but works
    /// while paused. Old code: 5x the capacity migrated in one call, uncounted.
    function test_F2_migrationCountsAgainstTheLimit() public {
        (PositionMigrator migrator, ProtectedVault fixedVault) = _migrationFixture();
        depositFor(ALICE, 5 * CAP);
        nextTx(1 days); // the deposit's in-tx credit is gone, capacity is full
        fast(G.PAUSE, address(vault), abi.encode(Scopes.GLOBAL, uint64(1 days)), G.one(0));
        uint256 all = vault.balanceOf(ALICE);
        vm.prank(ALICE);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.OutflowLimitExceeded.selector, address(token), 5 * CAP, CAP));
        migrator.migrate(address(vault), address(fixedVault), all, 0);
        // In parts, within capacity, while GLOBAL is paused: allowed, and it uses the capacity.
        uint256 part = vault.convertToShares(CAP);
        vm.prank(ALICE);
        migrator.migrate(address(vault), address(fixedVault), part, 0);
        assertLe(vault.availableCapacity(address(token)), 1, "migration consumed the capacity");
        assertGe(fixedVault.maxWithdraw(ALICE) + 1, CAP, "migrated position is Alice's");
    }

    // ================================================================ finding 3

    /// Finding 3 (Medium): ONE fast-path key lowered the limit to 1 wei (a "strictly tighter"
    /// SetLimit is fast), every withdrawal queued, and it vetoed them: the shares stayed burned and
    /// the pool (the rogue included) gained. Old code: Alice's value after the veto was 0.
    function test_F3_fastVetoOfAWithdrawalReturnsTheShares() public {
        depositFor(ALICE, 100e18);
        depositFor(BOB, 100e18);
        nextTx(1 days);
        // the rogue guardian #4 alone
        fast(G.SET_LIMIT, address(vault), abi.encode(address(token), queueCfg(1)), G.one(4));
        vm.prank(ALICE);
        vault.withdraw(100e18, ALICE, ALICE);
        uint256 id = vault.queuedOutflowCount();
        assertEq(vault.queuedOutflow(id).amount, 100e18 - 1, "all but 1 wei queued");
        fast(G.VETO_OUTFLOW, address(vault), abi.encode(id), G.one(4));
        assertGe(valueOf(ALICE) + 1, 100e18 - 1, "the veto re-minted Alice's shares");
        assertLe(valueOf(BOB), 100e18 + 1, "nobody else gained");
    }

    /// Finding 3: after the settlement delay, a fast quarantine re-opened the veto window.
    /// Now that veto still only delays: the entitlement comes back (held by the bounded quarantine).
    function test_F3_lateVetoThroughQuarantineStillRestores() public {
        depositFor(ALICE, 2 * CAP);
        nextTx(1 days);
        vm.prank(ALICE);
        vault.withdraw(2 * CAP, ALICE, ALICE);
        uint256 id = vault.queuedOutflowCount();
        vm.warp(block.timestamp + DELAY);
        fast(G.QUARANTINE, address(vault), addr(ALICE), G.one(3));
        fast(G.VETO_OUTFLOW, address(vault), abi.encode(id), G.one(3));
        assertGe(valueOf(ALICE) + 1, CAP, "the queued half is Alice's shares again");
        vm.warp(block.timestamp + MAX_PAUSE); // the quarantine ends by itself
        endTx();
        vm.prank(ALICE);
        vault.withdraw(CAP / 2, ALICE, ALICE);
    }

    /// Finding 3: a vetoed borrow left the debt booked for tokens never received.
    /// Old code: debt stayed 1500e18 after the veto.
    function test_F3_fastVetoOfABorrowCancelsTheDebt() public {
        supplyDebt(10_000e18);
        nextTx(1 days);
        uint256 id = borrowFor(ALICE, 4000e18, 1500e18);
        (, uint256 debtBefore) = market.positionOf(ALICE);
        assertEq(debtBefore, 1500e18, "booked");
        fast(G.VETO_OUTFLOW, address(market), abi.encode(id), G.one(0));
        (, uint256 debtAfter) = market.positionOf(ALICE);
        assertEq(debtAfter, CAP, "only what Alice received is owed");
        assertEq(debt.balanceOf(ALICE), CAP, "she received the capacity");
    }

    // ================================================================ finding 4

    /// Finding 4 (Medium): a veto minority (2 keys: the veto quorum) froze the asset and vetoed
    /// every UnfreezeAsset and every ChangeGuardians that would remove them. Old code: the
    /// freeze never expired. Now it ends by itself; their veto of their own removal still counts
    /// (that same veto is what stops a compromised slow quorum from replacing honest guardians),
    /// so what they keep is a bounded, expiring nuisance, never the funds.
    function test_F4_vetoMinorityCannotKeepAFreeze() public {
        depositFor(ALICE, 100e18);
        fast(G.FREEZE, address(vault), addr(address(token)), G.one(0));
        bytes32 unfreeze = slow(G.UNFREEZE, address(vault), addr(address(token)), G.three(2, 3, 4));
        vetoAction(unfreeze, G.two(0, 1)); // a veto of a restorative action is still allowed...
        // ...but the freeze ends by itself.
        vm.warp(block.timestamp + MAX_PAUSE);
        assertFalse(vault.isFrozen(address(token)), "freeze expired");
        vm.prank(ALICE);
        vault.withdraw(10e18, ALICE, ALICE);
        // A re-freeze is again bounded by maxPauseDuration: the lock can never be kept.
        fast(G.FREEZE, address(vault), addr(address(token)), G.one(0));
        vm.warp(block.timestamp + MAX_PAUSE);
        assertFalse(vault.isFrozen(address(token)), "the re-freeze expired too");
        vm.prank(ALICE);
        vault.withdraw(10e18, ALICE, ALICE);
    }

    /// Finding 4's other side (Ronin): a compromised slow quorum queues a ChangeGuardians that
    /// removes the honest guardians; the honest ones veto it in its delay, and it never executes.
    function test_F4_honestGuardiansVetoTheirRemovalByACompromisedSlowQuorum() public {
        address[] memory next = new address[](3);
        (next[0], next[1], next[2]) = (G.addr(2), G.addr(3), G.addr(4));
        bytes32 change = slow(G.CHANGE_GUARDIANS, address(ms), abi.encode(next), G.three(2, 3, 4));
        vetoAction(change, G.two(0, 1));
        vm.warp(block.timestamp + 2 days);
        vm.expectRevert();
        ms.executeQueued(change);
        assertTrue(ms.isGuardian(G.addr(0)), "guardian 0 kept");
        assertTrue(ms.isGuardian(G.addr(1)), "guardian 1 kept");
    }

    /// Finding 4: an extension of a freeze is a slow action (here: the RECOVERY_ROLE holder).
    function test_F4_onlyTheSlowPathExtendsAFreeze() public {
        fast(G.FREEZE, address(vault), addr(address(token)), G.one(0));
        vm.prank(SENTINEL);
        vm.expectRevert();
        vault.extendFreeze(address(token), MAX_PAUSE);
        nextTx(1 days);
        vm.prank(address(ms));
        vault.extendFreeze(address(token), MAX_PAUSE);
        (uint64 until,) = vault.restrictionOf(1, bytes32(uint256(uint160(address(token)))));
        assertEq(until, block.timestamp + MAX_PAUSE, "extended by the slow path");
    }

    // ================================================================ finding 5

    function _unhealthyBorrower() internal {
        supplyDebt(10_000e18);
        borrowFor(ALICE, 1000e18, 700e18);
        oracle.setPrice(0.8e18); // health factor 0.8*0.8*1000/700 < 1
        debt.mint(BOB, 1000e18);
        vm.prank(BOB);
        debt.approve(address(market), type(uint256).max);
    }

    /// Finding 5 (Medium): liquidate sent seized collateral by a raw transfer during a GLOBAL
    /// pause. Old code: the liquidation succeeded while GLOBAL was paused.
    function test_F5_liquidationStopsDuringGlobalPause() public {
        _unhealthyBorrower();
        fast(G.PAUSE, address(market), abi.encode(Scopes.GLOBAL, uint64(1 hours)), G.one(0));
        vm.prank(BOB);
        vm.expectRevert(); // ScopePaused(GLOBAL, until)
        market.liquidate(ALICE, 100e18);
    }

    /// Finding 5: ...with LIQUIDATION paused, and to a quarantined liquidator. Old code: both succeeded.
    function test_F5_liquidationRespectsItsScopeAndQuarantine() public {
        _unhealthyBorrower();
        fast(G.PAUSE, address(market), abi.encode(Scopes.LIQUIDATION, uint64(1 hours)), G.one(0));
        vm.prank(BOB);
        vm.expectRevert(); // ScopePaused(LIQUIDATION, until)
        market.liquidate(ALICE, 100e18);
        vm.warp(block.timestamp + 1 hours);
        fast(G.QUARANTINE, address(market), addr(BOB), G.one(1));
        vm.prank(BOB);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.AccountIsQuarantined.selector, BOB));
        market.liquidate(ALICE, 100e18);
    }

    /// Finding 5: the seizure is counted by the limiter and queues above it. Old code: the
    /// capacity did not move and the whole seizure was paid at once.
    function test_F5_liquidationIsCountedAndQueuedAboveTheLimit() public {
        _unhealthyBorrower();
        nextTx(1 days);
        uint256 capBefore = market.availableCapacity(address(token));
        vm.prank(BOB);
        uint256 seized = market.liquidate(ALICE, 100e18);
        assertEq(market.availableCapacity(address(token)), capBefore - seized, "counted");
        endTx();
        // A seizure above the (lowered) limit queues the excess for the liquidator.
        fast(G.SET_LIMIT, address(market), abi.encode(address(token), queueCfg(10e18)), G.one(0));
        vm.prank(BOB);
        uint256 seized2 = market.liquidate(ALICE, 100e18);
        uint256 id = market.queuedOutflowCount();
        assertEq(market.queuedOutflow(id).recipient, BOB, "queued for the liquidator");
        assertEq(market.queuedOutflow(id).amount, seized2 - 10e18, "excess queued");
    }

    // ================================================================ finding 6

    /// Finding 6 (Low): a 1-minute sentinel pause of BORROW held liquidations for the whole grace
    /// period (1 day here). Old code: liquidation reverted LiquidationInGracePeriod 61 s later.
    function test_F6_graceIsNoLongerThanThePause() public {
        _unhealthyBorrower();
        vm.prank(SENTINEL);
        market.sentinelPause(Scopes.BORROW, 1 minutes);
        vm.warp(block.timestamp + 1 minutes + 30);
        assertTrue(market.inGracePeriod(Scopes.BORROW), "half the pause's length: still in grace");
        vm.warp(block.timestamp + 31);
        assertFalse(market.inGracePeriod(Scopes.BORROW), "grace ended one pause-length after");
        vm.prank(BOB);
        market.liquidate(ALICE, 100e18);
    }

    // ================================================================ finding 7

    /// Finding 7 (Low): a thief wasted the sentinel's single shot on a scope nothing checks.
    /// Old code: the pause of a random bytes32 succeeded and the sentinel was disarmed.
    function test_F7_sentinelOnlyPausesAllowedScopes() public {
        bytes32 junk = keccak256("nothing checks this");
        vm.prank(SENTINEL);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidScope.selector, junk));
        vault.sentinelPause(junk, 1 hours);
        vm.prank(SENTINEL);
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.UnknownAsset.selector, address(0xdead)));
        vault.sentinelPause(Scopes.asset(address(0xdead)), 1 hours);
        (, bool armed,,,) = vault.sentinelState();
        assertTrue(armed, "the shot is not wasted");
        vm.prank(SENTINEL);
        vault.sentinelPause(Scopes.WITHDRAW, 1 hours);
    }

    // ================================================================ finding 8

    /// Finding 8 (Low): the standalone breaker kept queued totals per asset only, so a queue in
    /// vault A made vault A2 (same asset, same breaker) revert (`totalAssets` underflowed).
    /// Old code: A2.totalAssets() reverted with an arithmetic underflow.
    function test_F8_standaloneLiabilitiesArePerSource() public {
        CircuitBreakerHarness cb = new CircuitBreakerHarness(address(this), MAX_PAUSE, GRACE);
        cb.setLimit(address(token), queueCfg(CAP));
        ExternalProtectedVault a1 = new ExternalProtectedVault(IERC20(address(token)), cb);
        ExternalProtectedVault a2 = new ExternalProtectedVault(IERC20(address(token)), cb);
        cb.registerProtected(address(a1));
        cb.registerProtected(address(a2));
        _depositExternal(a1, ALICE, 3 * CAP);
        _depositExternal(a2, BOB, 10e18);
        nextTx(1 days);
        vm.prank(ALICE);
        a1.withdraw(3 * CAP, ALICE, ALICE); // CAP paid, 2 CAP queued inside a1
        assertEq(cb.queuedLiability(address(a1), address(token)), 2 * CAP, "a1 owes the queue");
        assertEq(cb.queuedLiability(address(a2), address(token)), 0, "a2 owes nothing");
        assertEq(a2.totalAssets(), 10e18, "a2 unaffected");
        vm.prank(BOB);
        a2.withdraw(10e18, BOB, BOB);
    }

    function _depositExternal(ExternalProtectedVault v, address user, uint256 amount) internal {
        token.mint(user, amount);
        vm.startPrank(user);
        token.approve(address(v), amount);
        v.deposit(amount, user);
        vm.stopPrank();
        CircuitBreakerHarness(address(v.breaker())).endTx(address(token));
    }

    // ================================================================ finding 9

    /// Finding 9 (Low): `pausedScopes` grew without bound (junk pauses by an emergency key made
    /// refresh unexecutable). Now only GLOBAL, the 5 groups and registered assets (<= 32) can
    /// be paused, each listed once: the refresh of the worst case stays far below a block.
    /// Old code: the junk pause succeeded and grew the list.
    function test_F9_pausedScopesAreBounded() public {
        bytes32 junk = keccak256("junk");
        GuardianMultisig.Action memory a = _action(G.PAUSE, address(vault), abi.encode(junk, uint64(1 hours)));
        GuardianMultisig.Approval[] memory ap = G.approvals(ms.hashAction(a), G.one(0));
        vm.expectRevert(abi.encodeWithSelector(BreakerCore.InvalidScope.selector, junk));
        ms.execute(a, ap);
        // Worst case: every allowed scope paused twice, then all expire.
        bytes32[6] memory groups =
            [Scopes.GLOBAL, Scopes.DEPOSIT, Scopes.WITHDRAW, Scopes.BORROW, Scopes.LIQUIDATION, Scopes.TRADE];
        for (uint256 round; round < 2; round++) {
            for (uint256 i; i < 6; i++) fast(G.PAUSE, address(vault), abi.encode(groups[i], uint64(1 minutes)), G.one(0));
            fast(G.PAUSE, address(vault), abi.encode(Scopes.asset(address(token)), uint64(1 minutes)), G.one(0));
            vm.warp(block.timestamp + 1 minutes);
        }
        assertEq(vault.pausedScopes().length, 7, "each scope listed once");
        uint256 g = gasleft();
        vault.refreshAlarm();
        assertLe(g - gasleft(), 200_000, "refresh is cheap");
        assertEq(vault.pausedScopes().length, 0, "all expired pauses forgotten");
    }

    // ================================================================ finding 10

    /// Finding 10 (Info): a repay above 2^96-1 reverted (AmountTooLarge): "repay is never
    /// blocked" must hold for any amount. Old code: repay(2^96) reverted.
    function test_F10_repayAboveUint96NeverReverts() public {
        uint256 half = uint256(type(uint96).max) / 2 + 1; // 2^95
        // Limits for the huge amounts (a slow SetLimit through the multisig).
        ICircuitBreaker.LimitConfig memory huge = queueCfg(type(uint96).max);
        bytes32 id = slow(G.SET_LIMIT, address(market), abi.encode(address(debt), huge), G.three(0, 1, 2));
        vm.warp(block.timestamp + 2 days);
        ms.executeQueued(id);
        nextTx(1 days);
        supplyDebt(half);
        supplyDebt(half);
        nextTx(1 days);
        borrowFor(ALICE, 8 * half, half);
        nextTx(1 days);
        vm.prank(ALICE);
        market.borrow(half); // debt is now 2^96 > 2^96-1
        endTx();
        debt.mint(ALICE, 2 * half);
        vm.startPrank(ALICE);
        debt.approve(address(market), 2 * half);
        market.repay(2 * half);
        vm.stopPrank();
        (, uint256 left) = market.positionOf(ALICE);
        assertEq(left, 0, "repaid in full");
    }

    // ================================================================ finding 11

    /// Finding 11: a stale queued Unpause, queued for an earlier pause, lifted a fresh emergency
    /// pause seconds after it was placed. Old code: executeQueued lifted the new pause.
    function test_F11_staleUnpauseCannotLiftANewPause() public {
        fast(G.PAUSE, address(vault), abi.encode(Scopes.WITHDRAW, uint64(1 days)), G.one(0));
        bytes32 unpause = slow(G.UNPAUSE, address(vault), abi.encode(Scopes.WITHDRAW), G.three(1, 2, 3));
        vm.warp(block.timestamp + 2 days); // the first pause expired; the Unpause is executable
        fast(G.PAUSE, address(vault), abi.encode(Scopes.WITHDRAW, uint64(7 days)), G.one(4));
        (, uint64 since) = vault.restrictionOf(0, Scopes.WITHDRAW);
        vm.expectRevert(
            abi.encodeWithSelector(GuardianMultisig.RestrictionReplaced.selector, unpause, uint64(T0), since)
        );
        ms.executeQueued(unpause);
        assertTrue(vault.isPaused(Scopes.WITHDRAW), "the new pause holds");
    }

    /// Finding 11: the same binding for Release and UnfreezeAsset, and nothing to restore means
    /// nothing to queue. Old code: a Release queued for nothing queued fine.
    function test_F11_restorativeActionsAreBoundToTheirRestriction() public {
        GuardianMultisig.Action memory a = _action(G.RELEASE, address(vault), addr(ALICE));
        GuardianMultisig.Approval[] memory ap = G.approvals(ms.hashAction(a), G.three(0, 1, 2));
        vm.expectRevert(
            abi.encodeWithSelector(GuardianMultisig.NothingToRestore.selector, G.RELEASE, address(vault), bytes32(uint256(uint160(ALICE))))
        );
        ms.queue(a, ap);
        fast(G.QUARANTINE, address(vault), addr(ALICE), G.one(0));
        bytes32 release = slow(G.RELEASE, address(vault), addr(ALICE), G.three(1, 2, 3));
        vm.warp(block.timestamp + MAX_PAUSE); // expired; anyone clears it
        vault.release(ALICE);
        vm.warp(block.timestamp + 1);
        fast(G.QUARANTINE, address(vault), addr(ALICE), G.one(0));
        vm.expectRevert();
        ms.executeQueued(release);
        assertTrue(vault.isQuarantined(ALICE), "the new quarantine holds");
    }

    // ================================================================ suspected cases

    /// Suspected: SetLimit classified at queue time, executed later. With a delayed LowerLimit
    /// policy, a SetLimit queued as "tighter" must still be tighter at execution; here the limit
    /// was lowered further meanwhile, so executing it would RAISE the limit with fast approvals.
    function test_S1_queuedTighterSetLimitIsRecheckedAtExecution() public {
        // LowerLimit policy: 1-of-5 with a 1-hour delay (an operator's choice), set by the slow path.
        bytes32 p = slow(G.CHANGE_THRESHOLD, address(ms), abi.encode(uint8(G.LOWER_LIMIT), uint16(1), uint64(1 hours)), G.three(0, 1, 2));
        vm.warp(block.timestamp + 2 days);
        ms.executeQueued(p);
        bytes32 tighter = slow(G.SET_LIMIT, address(vault), abi.encode(address(token), queueCfg(500e18)), G.one(4));
        bytes32 tightest = slow(G.SET_LIMIT, address(vault), abi.encode(address(token), queueCfg(100e18)), G.one(0));
        vm.warp(block.timestamp + 1 hours);
        ms.executeQueued(tightest);
        vm.expectRevert(abi.encodeWithSelector(GuardianMultisig.NoLongerTighter.selector, tighter));
        ms.executeQueued(tighter);
        assertEq(vault.limitOf(address(token)).maxCapacity, 100e18, "the tighter limit stays");
    }

    /// Suspected: fee-on-transfer tokens in Queue mode (the escrow receives less than queued, so
    /// the last claim would take other users' tokens). Decision: refuse to queue (fail closed).
    function test_S2_feeOnTransferTokenCannotQueue() public {
        FeeOnTransferTestToken fee = new FeeOnTransferTestToken(100); // 1%
        VaultHarness v = new VaultHarness(IERC20(address(fee)), address(this), MAX_PAUSE, GRACE);
        v.setLimit(address(fee), queueCfg(10e18));
        fee.mint(ALICE, 100e18);
        vm.startPrank(ALICE);
        fee.approve(address(v), 100e18);
        v.deposit(100e18, ALICE);
        v.endTx();
        vm.warp(block.timestamp + 1 days);
        vm.expectRevert(abi.encodeWithSelector(Breakable.EscrowShortfall.selector, address(fee), 40e18, 39.6e18));
        v.withdraw(50e18, ALICE, ALICE);
        v.endTx();
        v.withdraw(10e18, ALICE, ALICE); // within capacity: nothing queues, the exit works
        vm.stopPrank();
    }

    /// Suspected: RescueVault.removeDestination is the safe direction but only a slow Call of the
    /// multisig reaches it. Decision: grant the RescueVault's EMERGENCY_ROLE to each guardian's
    /// own key as well: one key may cancel a destination (delay only), never add or pay one.
    function test_S3_oneGuardianKeyCancelsARescueDestination() public {
        RescueVault rv = new RescueVault(address(this), 1 days);
        rv.grantRole(rv.EMERGENCY_ROLE(), G.addr(0));
        rv.proposeDestination(FRESH, "treasury");
        vm.prank(G.addr(0));
        rv.removeDestination(FRESH);
        assertFalse(rv.isActiveDestination(FRESH), "cancelled");
        vm.prank(G.addr(0));
        vm.expectRevert();
        rv.proposeDestination(ATTACKER, "rogue");
    }

    /// Suspected: the standalone breaker keeps queued tokens inside the protected contract where
    /// a second exploit transaction could take them. Decision: the protected contract subtracts
    /// its `queuedLiability` from what backs its shares; a second withdrawal cannot touch them.
    function test_S4_standaloneQueuedTokensAreNotBackingShares() public {
        CircuitBreakerHarness cb = new CircuitBreakerHarness(address(this), MAX_PAUSE, GRACE);
        cb.setLimit(address(token), queueCfg(CAP));
        ExternalProtectedVault v = new ExternalProtectedVault(IERC20(address(token)), cb);
        cb.registerProtected(address(v));
        _depositExternal(v, ALICE, 3 * CAP);
        _depositExternal(v, BOB, CAP);
        nextTx(1 days);
        vm.prank(ALICE);
        v.withdraw(3 * CAP, ALICE, ALICE);
        cb.endTx(address(token));
        vm.warp(block.timestamp + 1 days);
        vm.startPrank(BOB);
        v.redeem(v.balanceOf(BOB), BOB, BOB); // the second transaction takes only Bob's part
        vm.stopPrank();
        assertEq(token.balanceOf(BOB), CAP, "Bob got his own");
        vm.warp(block.timestamp + DELAY);
        cb.claimQueuedOutflow(cb.queuedOutflowCount());
        assertEq(token.balanceOf(ALICE), 3 * CAP, "Alice's queued claim was still there");
    }
}
