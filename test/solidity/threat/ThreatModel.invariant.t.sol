// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// The threat model as invariants (docs/THREAT-MODEL.md). One handler plays every actor
/// against a ProtectedVault (Queue mode), a ProtectedLendingMarket and a vault of a
/// fee-on-transfer token, all governed by the REAL GuardianMultisig:
///  - users: deposit, withdraw (to any receiver), share transfers, migration, claims,
///    liquidations (a price that moves);
///  - a compromised sentinel key: any scope (junk too), any duration;
///  - one rogue guardian, a malicious EIP-1271 contract that approves every digest: every fast
///    action alone (pause, freeze, quarantine, tighter limits, vetoes of queued outflows);
///  - a veto minority (the rogue + one EOA guardian = the veto quorum): vetoes everything
///    pending, and tries every slow action with its two approvals;
///  - the honest slow quorum (3 of 5, 2-day delay): unpause / unfreeze / release / extend /
///    re-arm, executed by anyone after the delay;
///  - a malicious token: fee-on-transfer in Queue mode.
///
/// INVARIANTS
///  T1 a quarantined account's value never leaves: no withdrawal, share transfer, migration,
///     liquidation (as borrower or liquidator) or claim succeeds while an account it moves
///     value from or to is quarantined;
///  T2 no action of fewer approvals than the slow threshold reduces any user's entitlement
///     (wallet + vault shares' value + migrated shares' value + pending claims + market equity),
///     up to 2 wei of rounding per vault conversion; and no slow action passes with them;
///  T3 every fast-path restriction (pause, freeze, quarantine) ends by its bound, placement +
///     maxPauseDuration, unless the slow path extended it;
///  T4 the sentinel never pauses more than once per arming, never a scope nothing checks,
///     never longer than its maxDuration;
///  T5 the escrow of the fee-on-transfer vault always holds what its pending claims are owed.

import {Test, Vm} from "../utils/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICircuitBreaker} from "../../../contracts/breaker/ICircuitBreaker.sol";
import {Scopes} from "../../../contracts/breaker/Scopes.sol";
import {GuardianMultisig} from "../../../contracts/guardian/GuardianMultisig.sol";
import {AlwaysValid1271} from "../../../contracts/guardian/test/GuardianTestMocks.sol";
import {ProtectedLendingMarket, IPriceOracle} from "../../../contracts/examples/ProtectedLendingMarket.sol";
import {PositionMigrator} from "../../../contracts/migration/PositionMigrator.sol";
import {FeeOnTransferTestToken} from "../../../contracts/migration/test/FeeOnTransferTestToken.sol";
import {MockPriceOracle} from "../../../contracts/test/MockPriceOracle.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {VaultHarness} from "../breaker/BreakerHarness.sol";
import {Guardians as G} from "./ThreatBase.sol";

contract ThreatHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    uint64 public constant MAX_PAUSE = 7 days;
    uint256 public constant CAP = 1000e18;
    address public constant SENTINEL = address(0x5E17);
    address public constant LIQUIDATOR = address(0x11C0);
    uint64 public constant SENTINEL_MAX = 1 days;

    TestToken public token;
    TestToken public debt;
    FeeOnTransferTestToken public feeToken;
    MockPriceOracle public oracle;
    VaultHarness public vault;
    VaultHarness public fixedVault;
    VaultHarness public feeVault;
    ProtectedLendingMarket public market;
    PositionMigrator public migrator;
    GuardianMultisig public ms;
    AlwaysValid1271 public evil; // the rogue guardian: a contract that approves everything

    address[4] public users = [address(0xA11CE0), address(0xB0B0), address(0xCA401), address(0xBAD0)];
    uint256 public nonce = 1;

    // ---- ghosts
    uint256 public quarantineLeaks; // T1
    uint256 public entitlementLosses; // T2
    uint256 public slowBypasses; // T2
    uint256 public sentinelFires; // T4
    uint256 public sentinelArms = 1;
    uint256 public sentinelBadFires;
    uint256 public feeEscrowShort; // T5
    mapping(bytes32 => uint256) public boundOf; // T3: key => latest allowed expiry
    bytes32[] public keys;
    mapping(bytes32 => bool) internal known;
    bytes32[] public pending;
    uint256 public calls;

    constructor() {
        vm.warp(1_700_000_000);
        token = new TestToken("Asset", "AST", 18);
        debt = new TestToken("Debt", "DBT", 18);
        feeToken = new FeeOnTransferTestToken(100);
        oracle = new MockPriceOracle(1e18);
        vault = new VaultHarness(IERC20(address(token)), address(this), MAX_PAUSE, 1 days);
        fixedVault = new VaultHarness(IERC20(address(token)), address(this), MAX_PAUSE, 1 days);
        feeVault = new VaultHarness(IERC20(address(feeToken)), address(this), MAX_PAUSE, 1 days);
        market = new ProtectedLendingMarket(
            IERC20(address(token)), IERC20(address(debt)), IPriceOracle(address(oracle)), 0.8e18, 0.05e18,
            address(this), MAX_PAUSE, 1 days
        );
        vault.setLimit(address(token), _cfg(CAP));
        fixedVault.setLimit(address(token), _cfg(CAP));
        feeVault.setLimit(address(feeToken), _cfg(100e18));
        market.setLimit(address(token), _cfg(CAP));
        market.setLimit(address(debt), _cfg(CAP));
        vault.setSentinel(SENTINEL, SENTINEL_MAX, 1 hours);
        migrator = new PositionMigrator(address(this));
        migrator.setRoute(address(vault), address(fixedVault), true);
        vault.setMigrator(address(migrator));

        evil = new AlwaysValid1271();
        address[] memory gs = new address[](5);
        for (uint256 i = 0; i < 4; i++) gs[i] = G.addr(i);
        gs[4] = address(evil);
        address[] memory managed = new address[](3);
        (managed[0], managed[1], managed[2]) = (address(vault), address(market), address(feeVault));
        GuardianMultisig.InitParams memory p;
        p.guardians = gs;
        p.fastThreshold = 1;
        p.slowThreshold = 3;
        p.slowDelay = 2 days;
        p.vetoThreshold = 2;
        p.managed = managed;
        p.overrides = new GuardianMultisig.PolicyOverride[](0);
        ms = new GuardianMultisig(p);
        _handOver(address(vault));
        _handOver(address(market));
        _handOver(address(feeVault));

        // Liquidity and positions: every user has shares, collateral and a borrow.
        debt.mint(address(this), 100_000e18);
        debt.approve(address(market), type(uint256).max);
        market.supplyDebtLiquidity(50_000e18);
        for (uint256 i = 0; i < 4; i++) {
            address u = users[i];
            token.mint(u, 3000e18);
            feeToken.mint(u, 300e18);
            vm.startPrank(u);
            token.approve(address(vault), type(uint256).max);
            token.approve(address(market), type(uint256).max);
            feeToken.approve(address(feeVault), type(uint256).max);
            vault.deposit(200e18, u);
            feeVault.deposit(100e18, u);
            market.depositCollateral(500e18);
            market.borrow(300e18);
            vm.stopPrank();
        }
        debt.mint(LIQUIDATOR, 100_000e18);
        vm.prank(LIQUIDATOR);
        debt.approve(address(market), type(uint256).max);
        _track(Scopes.GLOBAL);
        _track(Scopes.WITHDRAW);
        _track(Scopes.asset(address(token)));
    }

    function _cfg(uint256 cap) internal pure returns (ICircuitBreaker.LimitConfig memory) {
        return ICircuitBreaker.LimitConfig({
            maxCapacity: cap,
            window: 1 days,
            minTvl: 0,
            mode: ICircuitBreaker.BreachMode.Queue,
            settlementDelay: 1 hours,
            inflowCredit: true
        });
    }

    function _handOver(address target) internal {
        VaultHarness v = VaultHarness(target);
        v.grantRole(v.EMERGENCY_ROLE(), address(ms));
        v.grantRole(v.RECOVERY_ROLE(), address(ms));
        v.renounceRole(v.EMERGENCY_ROLE(), address(this));
        v.renounceRole(v.RECOVERY_ROLE(), address(this));
    }

    function _track(bytes32 key) internal {
        if (!known[key]) {
            known[key] = true;
            keys.push(key);
        }
    }

    function keyCount() external view returns (uint256) {
        return keys.length;
    }

    // ================================================================ helpers

    function _user(uint256 seed) internal view returns (address) {
        return users[seed % 4];
    }

    function _action(uint8 kind, address target, bytes memory data) internal returns (GuardianMultisig.Action memory) {
        return GuardianMultisig.Action({kind: kind, target: target, data: data, nonce: nonce++, deadline: block.timestamp + 1 days});
    }

    /// @dev Approvals of `idx` (EOA guardians) plus the rogue 1271 contract if `withEvil`.
    function _approvals(bytes32 digest, uint256[] memory idx, bool withEvil)
        internal
        view
        returns (GuardianMultisig.Approval[] memory out)
    {
        GuardianMultisig.Approval[] memory eoa = G.approvals(digest, idx);
        out = new GuardianMultisig.Approval[](eoa.length + (withEvil ? 1 : 0));
        for (uint256 i = 0; i < eoa.length; i++) out[i] = eoa[i];
        if (withEvil) out[eoa.length] = GuardianMultisig.Approval({signer: address(evil), signature: hex"00"});
        for (uint256 i = 1; i < out.length; i++) {
            for (uint256 j = i; j > 0 && out[j - 1].signer > out[j].signer; j--) {
                (out[j - 1], out[j]) = (out[j], out[j - 1]);
            }
        }
    }

    function _none() internal pure returns (uint256[] memory) {
        return new uint256[](0);
    }

    /// @dev Sum of every user's entitlement (T2 measures it around each minority action).
    function entitlement(address u) public view returns (int256 e) {
        e = int256(token.balanceOf(u) + debt.balanceOf(u));
        e += int256(vault.previewRedeem(vault.balanceOf(u)) + fixedVault.previewRedeem(fixedVault.balanceOf(u)));
        e += int256(_pendingTo(vault, u) + _pendingTo(ProtectedLendingMarket(address(market)), u));
        (uint256 c, uint256 d) = market.positionOf(u);
        e += int256(c) - int256(d) + int256(market.suppliedBy(u));
    }

    function _pendingTo(VaultHarness v, address u) internal view returns (uint256 sum) {
        return _pendingOf(ICircuitBreaker(address(v)), u);
    }

    function _pendingTo(ProtectedLendingMarket m, address u) internal view returns (uint256 sum) {
        return _pendingOf(ICircuitBreaker(address(m)), u);
    }

    function _pendingOf(ICircuitBreaker b, address u) internal view returns (uint256 sum) {
        uint256 n = VaultHarness(address(b)).queuedOutflowCount();
        for (uint256 id = 1; id <= n; id++) {
            ICircuitBreaker.QueuedOutflow memory q = b.queuedOutflow(id);
            if (!q.settled && q.recipient == u) sum += q.amount;
        }
    }

    function _snapshot() internal view returns (int256[4] memory s) {
        for (uint256 i = 0; i < 4; i++) s[i] = entitlement(users[i]);
    }

    function _checkNoLoss(int256[4] memory before) internal {
        for (uint256 i = 0; i < 4; i++) {
            if (entitlement(users[i]) + 4 < before[i]) entitlementLosses++;
        }
    }

    /// @dev T3 bookkeeping: a fast placement (or a slow extension) allows `key` until now + maxPause.
    function _allow(bytes32 key) internal {
        _track(key);
        boundOf[key] = block.timestamp + MAX_PAUSE;
    }

    // ================================================================ users

    function deposit(uint256 seed, uint256 amount) external {
        calls++;
        address u = _user(seed);
        amount = amount % 500e18 + 1;
        token.mint(u, amount);
        bool q = vault.isQuarantined(u);
        vm.prank(u);
        try vault.deposit(amount, u) {
            if (q) quarantineLeaks++;
        } catch {}
    }

    function withdraw(uint256 seed, uint256 amount, uint256 receiverSeed) external {
        calls++;
        address u = _user(seed);
        address r = _user(receiverSeed);
        uint256 max = vault.maxWithdraw(u);
        if (max == 0) return;
        amount = amount % max + 1;
        bool q = vault.isQuarantined(u) || vault.isQuarantined(r);
        vm.prank(u);
        try vault.withdraw(amount, r, u) {
            if (q) quarantineLeaks++;
        } catch {}
    }

    function transferShares(uint256 seed, uint256 toSeed, uint256 amount) external {
        calls++;
        address u = _user(seed);
        address to = seed % 7 == 0 ? address(0xF4E54) : _user(toSeed);
        uint256 bal = vault.balanceOf(u);
        if (bal == 0) return;
        amount = amount % bal + 1;
        bool q = vault.isQuarantined(u) || vault.isQuarantined(to);
        vm.prank(u);
        try vault.transfer(to, amount) {
            if (q) quarantineLeaks++;
        } catch {}
    }

    function migrate(uint256 seed, uint256 shares) external {
        calls++;
        address u = _user(seed);
        uint256 bal = vault.balanceOf(u);
        if (bal == 0) return;
        shares = shares % bal + 1;
        bool q = vault.isQuarantined(u);
        vm.prank(u);
        try migrator.migrate(address(vault), address(fixedVault), shares, 0) {
            if (q) quarantineLeaks++;
        } catch {}
    }

    function claim(uint256 seed, bool fromMarket) external {
        calls++;
        ICircuitBreaker b = fromMarket ? ICircuitBreaker(address(market)) : ICircuitBreaker(address(vault));
        uint256 n = VaultHarness(address(b)).queuedOutflowCount();
        if (n == 0) return;
        uint256 id = seed % n + 1;
        address r = b.queuedOutflow(id).recipient;
        bool q = b.isQuarantined(r);
        try b.claimQueuedOutflow(id) {
            if (q) quarantineLeaks++;
        } catch {}
    }

    function movePrice(uint256 price) external {
        calls++;
        oracle.setPrice(price % 1.2e18 + 0.4e18);
    }

    function liquidate(uint256 seed, uint256 amount, bool selfLiquidate) external {
        calls++;
        address borrower = _user(seed);
        // A quarantined borrower may try to pull its collateral out through its own liquidator.
        address liq = selfLiquidate ? borrower : LIQUIDATOR;
        (, uint256 d) = market.positionOf(borrower);
        if (d == 0) return;
        amount = amount % d + 1;
        debt.mint(liq, amount);
        vm.startPrank(liq);
        debt.approve(address(market), amount);
        bool q = market.isQuarantined(borrower) || market.isQuarantined(liq);
        try market.liquidate(borrower, amount) {
            if (q) quarantineLeaks++;
        } catch {}
        vm.stopPrank();
    }

    function feeVaultOps(uint256 seed, uint256 amount, bool out) external {
        calls++;
        address u = _user(seed);
        vm.prank(u);
        if (out) {
            uint256 max = feeVault.maxWithdraw(u);
            if (max == 0) return;
            try feeVault.withdraw(amount % max + 1, u, u) {} catch {}
        } else {
            feeToken.mint(u, 100e18);
            try feeVault.deposit(amount % 100e18 + 1, u) {} catch {}
        }
        if (feeToken.balanceOf(address(feeVault.outflowEscrow())) < feeVault.queuedTotal(address(feeToken))) {
            feeEscrowShort++;
        }
    }

    function warp(uint256 secs) external {
        calls++;
        vm.warp(block.timestamp + secs % 3 days + 1);
    }

    // ================================================================ compromised sentinel

    function sentinel(uint256 scopeSeed, uint64 duration, bool junk) external {
        calls++;
        bytes32[4] memory scopes = [Scopes.GLOBAL, Scopes.WITHDRAW, Scopes.asset(address(token)), Scopes.BORROW];
        bytes32 scope = junk ? keccak256(abi.encode(scopeSeed)) : scopes[scopeSeed % 4];
        duration = uint64(duration % (2 * SENTINEL_MAX));
        (, bool armed,,,) = vault.sentinelState();
        int256[4] memory before = _snapshot();
        vm.prank(SENTINEL);
        try vault.sentinelPause(scope, duration) {
            sentinelFires++;
            if (!armed || junk || duration > SENTINEL_MAX) sentinelBadFires++;
            _allow(scope);
        } catch {}
        _checkNoLoss(before);
    }

    // ================================================================ one rogue guardian (EIP-1271)

    function rogueFast(uint256 which, uint256 seed) external {
        calls++;
        address victim = _user(seed);
        address target = seed % 3 == 0 ? address(market) : address(vault);
        uint8 kind;
        bytes memory data;
        bytes32 key;
        which %= 6;
        if (which == 0) {
            bytes32[3] memory scopes = [Scopes.GLOBAL, Scopes.WITHDRAW, Scopes.asset(address(token))];
            key = scopes[seed % 3];
            (kind, data) = (G.PAUSE, abi.encode(key, uint64(MAX_PAUSE)));
        } else if (which == 1) {
            (kind, data, key) = (G.FREEZE, abi.encode(address(token)), keccak256(abi.encode("freeze", target)));
        } else if (which == 2) {
            (kind, data, key) = (G.QUARANTINE, abi.encode(victim), keccak256(abi.encode("quarantine", target, victim)));
        } else if (which == 3) {
            ICircuitBreaker.LimitConfig memory c = ICircuitBreaker(target).limitOf(address(token));
            if (c.maxCapacity > 1) c.maxCapacity = c.maxCapacity / 2;
            (kind, data) = (G.SET_LIMIT, abi.encode(address(token), c));
        } else {
            uint256 n = VaultHarness(target).queuedOutflowCount();
            if (n == 0) return;
            (kind, data) = (G.VETO_OUTFLOW, abi.encode(seed % n + 1));
        }
        GuardianMultisig.Action memory a = _action(kind, target, data);
        GuardianMultisig.Approval[] memory ap = _approvals(ms.hashAction(a), _none(), true);
        int256[4] memory before = _snapshot();
        try ms.execute(a, ap) {
            if (key != bytes32(0) && target == address(vault)) _allow(key);
        } catch {}
        _checkNoLoss(before);
    }

    // ================================================================ veto minority

    /// The rogue plus EOA guardian 3: exactly the veto quorum, two short of the slow one.
    function vetoMinority(uint256 seed) external {
        calls++;
        if (pending.length == 0) return;
        bytes32 id = pending[seed % pending.length];
        GuardianMultisig.Approval[] memory ap = _approvals(ms.hashVeto(id), G.one(3), true);
        try ms.veto(id, ap) {} catch {}
    }

    function minoritySlow(uint256 which, uint256 seed) external {
        calls++;
        uint8 kind;
        bytes memory data;
        address target = address(vault);
        which %= 4;
        if (which == 0) (kind, data) = (G.UNPAUSE, abi.encode(Scopes.WITHDRAW));
        else if (which == 1) (kind, data) = (G.RELEASE, abi.encode(_user(seed)));
        else if (which == 2) (kind, data) = (6, abi.encode(Scopes.GLOBAL, uint64(MAX_PAUSE))); // ExtendPause
        else {
            address[] memory gs = new address[](2);
            (gs[0], gs[1]) = (G.addr(3), address(evil));
            (kind, data, target) = (G.CHANGE_GUARDIANS, abi.encode(gs), address(ms));
        }
        GuardianMultisig.Action memory a = _action(kind, target, data);
        GuardianMultisig.Approval[] memory ap = _approvals(ms.hashAction(a), G.one(3), true);
        try ms.queue(a, ap) {
            slowBypasses++;
        } catch {}
    }

    // ================================================================ honest slow quorum

    function slowQuorum(uint256 which, uint256 seed) external {
        calls++;
        uint8 kind;
        bytes memory data;
        address target = address(vault);
        which %= 5;
        bytes32[3] memory scopes = [Scopes.GLOBAL, Scopes.WITHDRAW, Scopes.asset(address(token))];
        if (which == 0) (kind, data) = (G.UNPAUSE, abi.encode(scopes[seed % 3]));
        else if (which == 1) (kind, data) = (G.UNFREEZE, abi.encode(address(token)));
        else if (which == 2) (kind, data) = (G.RELEASE, abi.encode(_user(seed)));
        else if (which == 3) (kind, data) = (6, abi.encode(scopes[seed % 3], uint64(MAX_PAUSE))); // ExtendPause
        else (kind, data) = (10, ""); // ArmSentinel
        GuardianMultisig.Action memory a = _action(kind, target, data);
        GuardianMultisig.Approval[] memory ap = _approvals(ms.hashAction(a), G.three(0, 1, 2), false);
        try ms.queue(a, ap) returns (bytes32 id, uint64) {
            pending.push(id);
        } catch {}
    }

    function executeQueued(uint256 seed) external {
        calls++;
        if (pending.length == 0) return;
        bytes32 id = pending[seed % pending.length];
        (,,, GuardianMultisig.Action memory a) = ms.actionInfo(id);
        try ms.executeQueued(id) {
            if (a.kind == 6) _allow(bytes32(_word0(a.data))); // a slow extension moves the bound
            if (a.kind == 10) sentinelArms++;
        } catch {}
    }

    function _word0(bytes memory d) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(d, 0x20))
        }
    }
}

contract ThreatModelInvariantTest is Test {
    ThreatHandler internal handler;

    function setUp() public {
        handler = new ThreatHandler();
        targetContract(address(handler));
    }

    /// One invariant function runs every check: the runner gives each invariant function its
    /// own campaign, so one function keeps `npm test` to one campaign of runs x depth calls.
    /// `npm test` (default profile) runs a short campaign; `npm run test:fuzz` (deep) the long one.
    /// hardhat-config: default.invariant.runs = 24
    /// hardhat-config: default.invariant.depth = 20
    function invariant_threatModel() public view {
        _T1_quarantinedValueNeverLeaves();
        _T2_minorityNeverReducesEntitlement();
        _T3_fastRestrictionsEndByTheirBound();
        _T4_sentinelBounded();
        _T5_feeTokenEscrowNeverShort();
    }

    /// T1
    function _T1_quarantinedValueNeverLeaves() internal view {
        assertEq(handler.quarantineLeaks(), 0, "T1 value left a quarantined account");
    }

    /// T2
    function _T2_minorityNeverReducesEntitlement() internal view {
        assertEq(handler.entitlementLosses(), 0, "T2 a minority action reduced an entitlement");
        assertEq(handler.slowBypasses(), 0, "T2 a slow action passed with minority approvals");
    }

    /// T3: every restriction the handler saw placed ends by its bound.
    function _T3_fastRestrictionsEndByTheirBound() internal view {
        VaultHarness v = handler.vault();
        for (uint256 i = 0; i < handler.keyCount(); i++) {
            bytes32 key = handler.keys(i);
            uint256 bound = handler.boundOf(key);
            if (key == keccak256(abi.encode("freeze", address(v)))) {
                (uint64 until,) = v.restrictionOf(1, bytes32(uint256(uint160(address(handler.token())))));
                assertLe(until, bound, "T3 freeze outlives its bound");
            } else if (uint256(key) >> 160 == 0 || key == Scopes.GLOBAL || key == Scopes.WITHDRAW || key == Scopes.BORROW) {
                assertLe(v.pausedUntil(key), bound, "T3 pause outlives its bound");
            }
        }
        for (uint256 i = 0; i < 4; i++) {
            address u = handler.users(i);
            uint256 bound = handler.boundOf(keccak256(abi.encode("quarantine", address(v), u)));
            (uint64 until,) = v.restrictionOf(2, bytes32(uint256(uint160(u))));
            assertLe(until, bound, "T3 quarantine outlives its bound");
        }
    }

    /// T4
    function _T4_sentinelBounded() internal view {
        assertLe(handler.sentinelFires(), handler.sentinelArms(), "T4 more sentinel pauses than armings");
        assertEq(handler.sentinelBadFires(), 0, "T4 sentinel fired disarmed, on junk or too long");
    }

    /// T5
    function _T5_feeTokenEscrowNeverShort() internal view {
        assertEq(handler.feeEscrowShort(), 0, "T5 escrow holds less than its pending claims");
    }

    /// Runs one fixed sequence of every actor in `npm test` even where the fuzzer finds nothing.
    function test_threatHandlerSmoke() public {
        handler.withdraw(0, 500e18, 0);
        handler.rogueFast(2, 3); // quarantine the attacker on the vault
        handler.transferShares(3, 0, 1e18);
        handler.migrate(3, 1e18);
        handler.withdraw(1, 1000e18, 1);
        handler.rogueFast(4, 1); // veto a queued outflow
        handler.sentinel(0, 1 hours, true);
        handler.sentinel(1, 1 hours, false);
        handler.slowQuorum(0, 1);
        handler.vetoMinority(0);
        handler.minoritySlow(3, 0);
        handler.movePrice(0);
        handler.liquidate(3, 100e18, true);
        handler.feeVaultOps(0, 90e18, true);
        handler.warp(3 days);
        handler.executeQueued(0);
        _T1_quarantinedValueNeverLeaves();
        _T2_minorityNeverReducesEntitlement();
        _T3_fastRestrictionsEndByTheirBound();
        _T4_sentinelBounded();
        _T5_feeTokenEscrowNeverShort();
        assertTrue(handler.calls() == 16, "every actor ran");
    }
}
