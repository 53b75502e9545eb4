// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Breakable} from "../breaker/Breakable.sol";
import {Scopes} from "../breaker/Scopes.sol";

/// @notice Price of one collateral unit in debt units, 1e18-scaled.
interface IPriceOracle {
    function price() external view returns (uint256);
}

/// @title ProtectedLendingMarket
/// @notice The second reference integration: a one-pair lending market guarded by the inline
/// breaker. No interest, no close factor: it shows the tagging, not a production market.
///  - supplyDebtLiquidity is an ENTRY: `_guardInflow(DEPOSIT, ...)`;
///  - borrow is an ENTRY and an outflow: `whenScopeActive(BORROW)` + `_guardOutflow(BORROW, ...)`;
///  - withdrawCollateral is an EXIT: `_guardOutflow(WITHDRAW, ...)` after the health check;
///  - repay and depositCollateral only make positions safer: `_recordRepayment`, never blocked;
///  - liquidate pays the seized collateral through `_guardOutflow(LIQUIDATION, ...)`: it stops
///    while LIQUIDATION, GLOBAL or the collateral is paused, the collateral frozen, or the
///    borrower / liquidator quarantined, and it counts against the collateral's limit; it also
///    waits out the grace period after a BORROW (or global) pause, which never lasts longer
///    than that pause did, so users get time to repair positions that went bad meanwhile;
///  - a fast veto of a queued outflow cancels what it booked (`_restoreVetoedOutflow`): a
///    vetoed borrow cancels the debt, a vetoed collateral withdrawal or seizure re-credits it.
/// Register both tokens with `setLimit` before use: guarded calls revert on unknown assets.
contract ProtectedLendingMarket is Breakable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    uint256 private constant WAD = 1e18;
    uint256 public constant MAX_LIQUIDATION_BONUS = 0.2e18;

    IERC20 public immutable collateralToken;
    IERC20 public immutable debtToken;
    IPriceOracle public immutable oracle;
    /// @notice Share of the collateral value that may be borrowed against (1e18 = 100%).
    uint256 public immutable collateralFactor;
    /// @notice Extra collateral a liquidator receives on top of the repaid value (1e18 = 100%).
    uint256 public immutable liquidationBonus;

    struct Position {
        uint256 collateral;
        uint256 debt;
    }

    mapping(address => Position) private _positions;
    /// @notice Debt tokens supplied by each lender.
    mapping(address => uint256) public suppliedBy;

    event LiquiditySupplied(address indexed lender, uint256 amount);
    event CollateralDeposited(address indexed account, uint256 amount);
    event CollateralWithdrawn(address indexed account, uint256 amount, uint256 queueId);
    event Borrowed(address indexed account, uint256 amount, uint256 queueId);
    event Repaid(address indexed payer, address indexed account, uint256 amount);
    event Liquidated(address indexed borrower, address indexed liquidator, uint256 repaid, uint256 seized);
    /// @notice A vetoed queued outflow was undone for `account`: debt cancelled (debt token) or
    /// collateral re-credited (collateral token).
    event OutflowRestored(uint256 indexed queueId, address indexed account, address indexed asset, uint256 amount);

    error InvalidMarketConfig(uint256 collateralFactor, uint256 liquidationBonus);
    error Unhealthy(address account, uint256 healthFactor);
    error PositionHealthy(address account, uint256 healthFactor);
    error InsufficientCollateral(address account, uint256 requested, uint256 available);
    error RepayExceedsDebt(address account, uint256 amount, uint256 debt);
    error LiquidationInGracePeriod();
    error InvalidPrice();

    /// @param collateralFactor_ in (0, 1e18); with the bonus, a seizure must stay below the debt's
    /// collateral backing: collateralFactor * (1 + bonus) < 1.
    constructor(
        IERC20 collateral_,
        IERC20 debt_,
        IPriceOracle oracle_,
        uint256 collateralFactor_,
        uint256 liquidationBonus_,
        address admin,
        uint64 maxPause,
        uint64 grace
    ) Breakable(admin, maxPause, grace) {
        if (address(collateral_) == address(0) || address(debt_) == address(0) || address(oracle_) == address(0)) {
            revert ZeroAddress();
        }
        if (address(collateral_) == address(debt_)) revert InvalidMarketConfig(collateralFactor_, liquidationBonus_);
        if (
            collateralFactor_ == 0 || liquidationBonus_ > MAX_LIQUIDATION_BONUS
                || collateralFactor_ * (WAD + liquidationBonus_) >= WAD * WAD
        ) revert InvalidMarketConfig(collateralFactor_, liquidationBonus_);
        collateralToken = collateral_;
        debtToken = debt_;
        oracle = oracle_;
        collateralFactor = collateralFactor_;
        liquidationBonus = liquidationBonus_;
    }

    /// @notice Lend `amount` debt tokens to the market (entry: blocked while DEPOSIT is paused).
    function supplyDebtLiquidity(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _guardInflow(Scopes.DEPOSIT, address(debtToken), amount, msg.sender, msg.sender);
        suppliedBy[msg.sender] += amount;
        debtToken.safeTransferFrom(msg.sender, address(this), amount);
        emit LiquiditySupplied(msg.sender, amount);
    }

    /// @notice Add collateral to the caller's position. Never blocked by the breaker.
    function depositCollateral(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _recordRepayment(address(collateralToken), amount);
        _positions[msg.sender].collateral += amount;
        collateralToken.safeTransferFrom(msg.sender, address(this), amount);
        emit CollateralDeposited(msg.sender, amount);
    }

    /// @notice Take `amount` collateral out, keeping the position healthy (exit: pause, freeze,
    /// quarantine and the collateral's outflow limit apply; in Queue mode the excess is escrowed).
    function withdrawCollateral(uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        Position storage p = _positions[msg.sender];
        if (amount > p.collateral) revert InsufficientCollateral(msg.sender, amount, p.collateral);
        p.collateral -= amount;
        _requireHealthy(msg.sender);
        uint256 queueId = _payOut(Scopes.WITHDRAW, collateralToken, amount);
        emit CollateralWithdrawn(msg.sender, amount, queueId);
    }

    /// @notice Borrow `amount` debt tokens against the caller's collateral (entry: blocked while
    /// BORROW or the global scope is paused; the debt token's outflow limit applies).
    function borrow(uint256 amount) external nonReentrant whenScopeActive(Scopes.BORROW) {
        if (amount == 0) revert ZeroAmount();
        _positions[msg.sender].debt += amount;
        _requireHealthy(msg.sender);
        uint256 queueId = _payOut(Scopes.BORROW, debtToken, amount);
        emit Borrowed(msg.sender, amount, queueId);
    }

    /// @notice Repay `amount` of the caller's debt. Never blocked by the breaker.
    function repay(uint256 amount) external nonReentrant {
        Position storage p = _positions[msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (amount > p.debt) revert RepayExceedsDebt(msg.sender, amount, p.debt);
        _recordRepayment(address(debtToken), amount);
        p.debt -= amount;
        debtToken.safeTransferFrom(msg.sender, address(this), amount);
        emit Repaid(msg.sender, msg.sender, amount);
    }

    /// @notice Repay `repayAmount` of an unhealthy `borrower`'s debt and seize collateral worth
    /// it plus the liquidation bonus. The seizure is a guarded outflow of the LIQUIDATION scope
    /// (pauses, freeze, quarantine of borrower or liquidator, the collateral's limit; in Queue
    /// mode the excess is escrowed for the liquidator). Refused during the grace period after
    /// a BORROW or global pause.
    function liquidate(address borrower, uint256 repayAmount) external nonReentrant returns (uint256 seized) {
        if (inGracePeriod(Scopes.BORROW)) revert LiquidationInGracePeriod();
        if (repayAmount == 0) revert ZeroAmount();
        Position storage p = _positions[borrower];
        uint256 hf = healthFactor(borrower);
        if (hf >= WAD) revert PositionHealthy(borrower, hf);
        if (repayAmount > p.debt) revert RepayExceedsDebt(borrower, repayAmount, p.debt);
        seized = repayAmount * (WAD + liquidationBonus) / _price();
        if (seized > p.collateral) seized = p.collateral;
        (uint256 payNow, uint256 queueId) = _guardOutflow(
            Scopes.LIQUIDATION, address(collateralToken), seized, borrower, msg.sender, address(this)
        );
        _recordRepayment(address(debtToken), repayAmount);
        p.debt -= repayAmount;
        p.collateral -= seized;
        debtToken.safeTransferFrom(msg.sender, address(this), repayAmount);
        if (payNow != 0) collateralToken.safeTransfer(msg.sender, payNow);
        if (queueId != 0) _escrowQueued(address(collateralToken), seized - payNow);
        emit Liquidated(borrower, msg.sender, repayAmount, seized);
    }

    /// @notice Borrowing power over debt, 1e18-scaled; below 1e18 the position is liquidatable.
    /// type(uint256).max without debt.
    function healthFactor(address account) public view returns (uint256) {
        Position memory p = _positions[account];
        if (p.debt == 0) return type(uint256).max;
        return p.collateral * _price() / WAD * collateralFactor / p.debt;
    }

    /// @notice Collateral and debt of `account`.
    function positionOf(address account) external view returns (uint256 collateral, uint256 debt) {
        Position memory p = _positions[account];
        return (p.collateral, p.debt);
    }

    function _price() private view returns (uint256 price) {
        price = oracle.price();
        if (price == 0) revert InvalidPrice();
    }

    function _requireHealthy(address account) private view {
        uint256 hf = healthFactor(account);
        if (hf < WAD) revert Unhealthy(account, hf);
    }

    /// @dev Guarded payout to msg.sender: pay the headroom now, escrow a queued excess.
    function _payOut(bytes32 scope, IERC20 token, uint256 amount) private returns (uint256 queueId) {
        uint256 payNow;
        (payNow, queueId) = _guardOutflow(scope, address(token), amount, msg.sender, msg.sender, address(this));
        if (payNow != 0) token.safeTransfer(msg.sender, payNow);
        if (queueId != 0) _escrowQueued(address(token), amount - payNow);
    }

    /// @dev A vetoed queued outflow is undone for its recipient: a borrow's debt is cancelled
    /// (any part already repaid becomes the recipient's supplied liquidity), a collateral
    /// withdrawal or seizure goes back into the recipient's collateral.
    function _restoreVetoedOutflow(uint256 id, QueuedOutflow memory q) internal override returns (bool) {
        Position storage p = _positions[q.recipient];
        if (q.asset == address(debtToken)) {
            uint256 cancel = q.amount < p.debt ? q.amount : p.debt;
            p.debt -= cancel;
            if (q.amount > cancel) suppliedBy[q.recipient] += q.amount - cancel;
        } else {
            p.collateral += q.amount;
        }
        emit OutflowRestored(id, q.recipient, q.asset, q.amount);
        return true;
    }

    function _transferOutAsset(address token, address to, uint256 amount) internal override {
        IERC20(token).safeTransfer(to, amount);
    }
}
