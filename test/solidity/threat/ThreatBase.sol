// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test, Vm} from "../utils/Test.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICircuitBreaker} from "../../../contracts/breaker/ICircuitBreaker.sol";
import {Scopes} from "../../../contracts/breaker/Scopes.sol";
import {GuardianMultisig} from "../../../contracts/guardian/GuardianMultisig.sol";
import {ProtectedVault} from "../../../contracts/examples/ProtectedVault.sol";
import {ProtectedLendingMarket, IPriceOracle} from "../../../contracts/examples/ProtectedLendingMarket.sol";
import {MockPriceOracle} from "../../../contracts/test/MockPriceOracle.sol";
import {TestToken} from "../../../contracts/test/TestToken.sol";
import {CircuitBreaker} from "../../../contracts/breaker/CircuitBreaker.sol";
import {LedgerSlot, VaultHarness} from "../breaker/BreakerHarness.sol";

/// @notice The lending market plus a transaction-boundary helper (a Solidity test function is
/// ONE transaction: without it, every flow of a test would net against the others).
contract MarketHarness is ProtectedLendingMarket {
    constructor(IERC20 c, IERC20 d, IPriceOracle o, address admin, uint64 maxPause, uint64 grace)
        ProtectedLendingMarket(c, d, o, 0.8e18, 0.05e18, admin, maxPause, grace)
    {}

    function endTx() external {
        LedgerSlot.clear(address(collateralToken));
        LedgerSlot.clear(address(debtToken));
    }
}

/// @notice The standalone breaker plus the same transaction-boundary helper.
contract CircuitBreakerHarness is CircuitBreaker {
    constructor(address admin, uint64 maxPause, uint64 grace) CircuitBreaker(admin, maxPause, grace) {}

    function endTx(address asset) external {
        LedgerSlot.clear(asset);
    }
}

/// @notice Signing and submission through the REAL GuardianMultisig: 5 guardians (keys
/// 0xA11CE + i), fast 1-of-5, slow 3-of-5 with a 2-day delay, veto quorum 2, no heartbeat.
library Guardians {
    Vm internal constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    uint256 internal constant N = 5;

    uint8 internal constant PAUSE = 0;
    uint8 internal constant FREEZE = 1;
    uint8 internal constant QUARANTINE = 2;
    uint8 internal constant VETO_OUTFLOW = 3;
    uint8 internal constant LOWER_LIMIT = 4;
    uint8 internal constant UNPAUSE = 5;
    uint8 internal constant UNFREEZE = 7;
    uint8 internal constant RELEASE = 8;
    uint8 internal constant SET_LIMIT = 9;
    uint8 internal constant CHANGE_GUARDIANS = 15;
    uint8 internal constant CHANGE_THRESHOLD = 16;

    function key(uint256 i) internal pure returns (uint256) {
        return 0xA11CE + i;
    }

    function addr(uint256 i) internal pure returns (address) {
        return VM.addr(key(i));
    }

    function deploy(address[] memory managed, GuardianMultisig.PolicyOverride[] memory overrides)
        internal
        returns (GuardianMultisig ms)
    {
        address[] memory gs = new address[](N);
        for (uint256 i = 0; i < N; i++) gs[i] = addr(i);
        GuardianMultisig.InitParams memory p;
        p.guardians = gs;
        p.fastThreshold = 1;
        p.slowThreshold = 3;
        p.slowDelay = 2 days;
        p.vetoThreshold = 2;
        p.heartbeatPeriod = 0;
        p.managed = managed;
        p.overrides = overrides;
        ms = new GuardianMultisig(p);
    }

    /// @dev Signatures of guardians `idx` over `digest`, sorted by signer as the multisig requires.
    function approvals(bytes32 digest, uint256[] memory idx)
        internal
        pure
        returns (GuardianMultisig.Approval[] memory out)
    {
        out = new GuardianMultisig.Approval[](idx.length);
        for (uint256 i = 0; i < idx.length; i++) {
            (uint8 v, bytes32 r, bytes32 s) = VM.sign(key(idx[i]), digest);
            out[i] = GuardianMultisig.Approval({signer: addr(idx[i]), signature: abi.encodePacked(r, s, v)});
        }
        for (uint256 i = 1; i < out.length; i++) {
            for (uint256 j = i; j > 0 && out[j - 1].signer > out[j].signer; j--) {
                (out[j - 1], out[j]) = (out[j], out[j - 1]);
            }
        }
    }

    function one(uint256 a) internal pure returns (uint256[] memory idx) {
        idx = new uint256[](1);
        idx[0] = a;
    }

    function two(uint256 a, uint256 b) internal pure returns (uint256[] memory idx) {
        idx = new uint256[](2);
        (idx[0], idx[1]) = (a, b);
    }

    function three(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory idx) {
        idx = new uint256[](3);
        (idx[0], idx[1], idx[2]) = (a, b, c);
    }
}

/// @notice Shared fixture of the threat-model tests: a ProtectedVault (Queue mode) and a
/// ProtectedLendingMarket whose EMERGENCY_ROLE and RECOVERY_ROLE are held ONLY by the real
/// GuardianMultisig (the test contract renounces them after setup), so every fast or slow
/// power is exercised with the approvals it really needs.
abstract contract ThreatBase is Test {
    uint256 internal constant T0 = 1_700_000_000;
    uint64 internal constant MAX_PAUSE = 7 days;
    uint64 internal constant GRACE = 1 days;
    uint256 internal constant CAP = 1000e18;
    uint64 internal constant DELAY = 1 hours;

    TestToken internal token;
    TestToken internal debt;
    MockPriceOracle internal oracle;
    VaultHarness internal vault;
    MarketHarness internal market;
    GuardianMultisig internal ms;
    uint256 internal nonce = 1;

    address internal constant ALICE = address(0xA11CE0);
    address internal constant BOB = address(0xB0B0);
    address internal constant FRESH = address(0xF4E54);
    address internal constant ATTACKER = address(0xBAD0);
    address internal constant SENTINEL = address(0x5E17);

    function setUp() public virtual {
        vm.warp(T0);
        token = new TestToken("Asset", "AST", 18);
        debt = new TestToken("Debt", "DBT", 18);
        oracle = new MockPriceOracle(1e18);
        vault = new VaultHarness(IERC20(address(token)), address(this), MAX_PAUSE, GRACE);
        market = new MarketHarness(
            IERC20(address(token)), IERC20(address(debt)), IPriceOracle(address(oracle)), address(this), MAX_PAUSE, GRACE
        );
        vault.setLimit(address(token), queueCfg(CAP));
        market.setLimit(address(token), queueCfg(CAP));
        market.setLimit(address(debt), queueCfg(CAP));
        vault.setSentinel(SENTINEL, 1 days, 1 hours);
        market.setSentinel(SENTINEL, 1 days, 1 hours);
        address[] memory managed = new address[](2);
        managed[0] = address(vault);
        managed[1] = address(market);
        ms = Guardians.deploy(managed, _overrides());
        _handOver(address(vault));
        _handOver(address(market));
    }

    /// @dev Per-kind policy overrides of the multisig (none by default).
    function _overrides() internal virtual returns (GuardianMultisig.PolicyOverride[] memory o) {
        o = new GuardianMultisig.PolicyOverride[](0);
    }

    /// @dev Give both breaker roles to the multisig and drop every role of the test contract.
    function _handOver(address target) internal {
        ProtectedVault v = ProtectedVault(target); // same AccessControl surface on both examples
        v.grantRole(v.EMERGENCY_ROLE(), address(ms));
        v.grantRole(v.RECOVERY_ROLE(), address(ms));
        v.grantRole(v.DEFAULT_ADMIN_ROLE(), address(ms));
        v.renounceRole(v.EMERGENCY_ROLE(), address(this));
        v.renounceRole(v.RECOVERY_ROLE(), address(this));
        v.renounceRole(v.DEFAULT_ADMIN_ROLE(), address(this));
    }

    function queueCfg(uint256 cap) internal pure returns (ICircuitBreaker.LimitConfig memory) {
        return ICircuitBreaker.LimitConfig({
            maxCapacity: cap,
            window: 1 days,
            minTvl: 0,
            mode: ICircuitBreaker.BreachMode.Queue,
            settlementDelay: DELAY,
            inflowCredit: true
        });
    }

    // ------------------------------------------------------------ multisig drivers

    function _action(uint8 kind, address target, bytes memory data) internal returns (GuardianMultisig.Action memory) {
        return GuardianMultisig.Action({
            kind: kind,
            target: target,
            data: data,
            nonce: nonce++,
            deadline: block.timestamp + 1 days
        });
    }

    /// @dev A fast action executed at once with the approvals of guardians `idx`.
    function fast(uint8 kind, address target, bytes memory data, uint256[] memory idx) internal returns (bytes32) {
        GuardianMultisig.Action memory a = _action(kind, target, data);
        return ms.execute(a, Guardians.approvals(ms.hashAction(a), idx));
    }

    /// @dev A slow action queued with the approvals of guardians `idx`.
    function slow(uint8 kind, address target, bytes memory data, uint256[] memory idx) internal returns (bytes32 id) {
        GuardianMultisig.Action memory a = _action(kind, target, data);
        (id,) = ms.queue(a, Guardians.approvals(ms.hashAction(a), idx));
    }

    function vetoAction(bytes32 id, uint256[] memory idx) internal {
        ms.veto(id, Guardians.approvals(ms.hashVeto(id), idx));
    }

    function _vetoCall(bytes32 id, uint256[] memory idx) internal returns (bool ok) {
        try ms.veto(id, Guardians.approvals(ms.hashVeto(id), idx)) {
            ok = true;
        } catch {}
    }

    // ------------------------------------------------------------ users

    /// @dev A transaction boundary: clear both examples' per-transaction flow ledgers.
    function endTx() internal {
        vault.endTx();
        market.endTx();
    }

    /// @dev A transaction boundary followed by `secs` seconds.
    function nextTx(uint256 secs) internal {
        endTx();
        vm.warp(block.timestamp + secs);
    }

    function depositFor(address user, uint256 amount) internal returns (uint256 shares) {
        token.mint(user, amount);
        vm.startPrank(user);
        token.approve(address(vault), amount);
        shares = vault.deposit(amount, user);
        vm.stopPrank();
        endTx();
    }

    /// @dev `user` puts `coll` collateral in the market and borrows `amount` (liquidity supplied by BOB).
    function borrowFor(address user, uint256 coll, uint256 amount) internal returns (uint256 queueId) {
        token.mint(user, coll);
        vm.startPrank(user);
        token.approve(address(market), coll);
        market.depositCollateral(coll);
        vm.stopPrank();
        endTx();
        vm.prank(user);
        market.borrow(amount);
        queueId = market.queuedOutflowCount();
        endTx();
    }

    function supplyDebt(uint256 amount) internal {
        debt.mint(BOB, amount);
        vm.startPrank(BOB);
        debt.approve(address(market), amount);
        market.supplyDebtLiquidity(amount);
        vm.stopPrank();
        endTx();
    }

    function valueOf(address user) internal view returns (uint256) {
        return vault.previewRedeem(vault.balanceOf(user));
    }

    function addr(address a) internal pure returns (bytes memory) {
        return abi.encode(a);
    }

    function assetScope(address a) internal pure returns (bytes32) {
        return Scopes.asset(a);
    }
}
