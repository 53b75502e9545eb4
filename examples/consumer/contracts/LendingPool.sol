// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Breakable} from "breakwater/contracts/breaker/Breakable.sol";
import {Scopes} from "breakwater/contracts/breaker/Scopes.sol";

interface IPriceFeed {
    /// @return price of one whole collateral token in quote units, 8 decimals
    function latestPrice() external view returns (uint256 price, uint256 updatedAt);
}

/// @title LendingPool
/// @notice A small collateralised lending pool of one quote asset (a stablecoin) lent against one
/// collateral asset, priced by a feed. It is this example protocol's own code, integrated with
/// Breakwater as the README's tagging table says:
///  - supply: ENTRY (`_guardInflow(DEPOSIT)`), withdrawSupply / removeCollateral: EXIT (`_guardOutflow(WITHDRAW)`);
///  - borrow: ENTRY + outflow (`whenScopeActive(BORROW)` + `_guardOutflow(BORROW)`);
///  - addCollateral and repay only make positions safer: `_recordRepayment`, never blocked;
///  - liquidate: the seized collateral leaves through `_guardOutflow(LIQUIDATION)`, and not while
///    `inGracePeriod(BORROW)` (borrowers could not repay while BORROW was paused);
///  - a queued excess goes to the escrow with `_escrowQueued`; a guardian's fast veto of it must not
///    take anything from the user, so `_restoreVetoedOutflow` books it back (supply, debt or collateral).
contract LendingPool is Breakable, ReentrancyGuard {
    using SafeERC20 for IERC20;

    IERC20 public immutable quote;
    IERC20 public immutable collateral;
    IPriceFeed public immutable feed;
    uint256 private immutable _collateralUnit;
    uint256 private immutable _quoteUnit;

    uint256 public constant LTV_BPS = 7_500;
    uint256 public constant LIQUIDATION_THRESHOLD_BPS = 8_500;
    uint256 public constant LIQUIDATION_BONUS_BPS = 500;
    uint256 public constant MAX_PRICE_AGE = 1 days;

    mapping(address => uint256) public supplied;
    mapping(address => uint256) public collateralOf;
    mapping(address => uint256) public debtOf;
    uint256 public totalSupplied;
    uint256 public totalDebt;

    event Supplied(address indexed account, uint256 amount);
    event SupplyWithdrawn(address indexed account, uint256 amount, uint256 queueId);
    event CollateralAdded(address indexed account, uint256 amount);
    event CollateralRemoved(address indexed account, uint256 amount, uint256 queueId);
    event Borrowed(address indexed account, uint256 amount, uint256 debtAfter, uint256 queueId);
    event Repaid(address indexed payer, address indexed account, uint256 amount);
    event Liquidated(address indexed liquidator, address indexed account, uint256 repaid, uint256 seized);
    event OutflowRestored(uint256 indexed queueId, address indexed account, address asset, uint256 amount, bytes32 scope);

    error NoAmount();
    error InsufficientSupply(uint256 requested, uint256 available);
    error InsufficientLiquidity(uint256 requested, uint256 available);
    error Unhealthy(address account, uint256 debt, uint256 maxDebt);
    error StillHealthy(address account);
    error StalePrice(uint256 updatedAt);
    error LiquidationInGracePeriod();

    constructor(IERC20 quote_, IERC20 collateral_, IPriceFeed feed_, address admin, uint64 maxPauseDuration, uint64 gracePeriod)
        Breakable(admin, maxPauseDuration, gracePeriod)
    {
        quote = quote_;
        collateral = collateral_;
        feed = feed_;
        _collateralUnit = 10 ** IERC20Metadata(address(collateral_)).decimals();
        _quoteUnit = 10 ** IERC20Metadata(address(quote_)).decimals();
    }

    /// @notice Lend `amount` of the quote asset to the pool.
    function supply(uint256 amount) external nonReentrant {
        if (amount == 0) revert NoAmount();
        _guardInflow(Scopes.DEPOSIT, address(quote), amount, msg.sender);
        quote.safeTransferFrom(msg.sender, address(this), amount);
        supplied[msg.sender] += amount;
        totalSupplied += amount;
        emit Supplied(msg.sender, amount);
    }

    /// @notice Take back `amount` of what you lent (while the pool has the liquidity).
    function withdrawSupply(uint256 amount) external nonReentrant {
        if (amount == 0) revert NoAmount();
        uint256 mine = supplied[msg.sender];
        if (amount > mine) revert InsufficientSupply(amount, mine);
        uint256 cash = quote.balanceOf(address(this));
        if (amount > cash) revert InsufficientLiquidity(amount, cash);
        supplied[msg.sender] = mine - amount;
        totalSupplied -= amount;
        uint256 queueId = _payOut(Scopes.WITHDRAW, quote, amount);
        emit SupplyWithdrawn(msg.sender, amount, queueId);
    }

    /// @notice Add collateral (never blocked: it only makes a position safer).
    function addCollateral(uint256 amount) external nonReentrant {
        if (amount == 0) revert NoAmount();
        collateral.safeTransferFrom(msg.sender, address(this), amount);
        _recordRepayment(address(collateral), amount);
        collateralOf[msg.sender] += amount;
        emit CollateralAdded(msg.sender, amount);
    }

    /// @notice Remove collateral, as long as the position stays within the loan-to-value.
    function removeCollateral(uint256 amount) external nonReentrant {
        if (amount == 0) revert NoAmount();
        collateralOf[msg.sender] -= amount;
        _requireWithinLtv(msg.sender);
        uint256 queueId = _payOut(Scopes.WITHDRAW, collateral, amount);
        emit CollateralRemoved(msg.sender, amount, queueId);
    }

    /// @notice Borrow `amount` of the quote asset against your collateral.
    function borrow(uint256 amount) external nonReentrant whenScopeActive(Scopes.BORROW) {
        if (amount == 0) revert NoAmount();
        uint256 cash = quote.balanceOf(address(this));
        if (amount > cash) revert InsufficientLiquidity(amount, cash);
        debtOf[msg.sender] += amount;
        totalDebt += amount;
        _requireWithinLtv(msg.sender);
        uint256 queueId = _payOut(Scopes.BORROW, quote, amount);
        emit Borrowed(msg.sender, amount, debtOf[msg.sender], queueId);
    }

    /// @notice Repay `amount` of `account`'s debt (never blocked).
    function repay(address account, uint256 amount) external nonReentrant {
        if (amount == 0) revert NoAmount();
        uint256 debt = debtOf[account];
        if (amount > debt) amount = debt;
        quote.safeTransferFrom(msg.sender, address(this), amount);
        _recordRepayment(address(quote), amount);
        debtOf[account] = debt - amount;
        totalDebt -= amount;
        emit Repaid(msg.sender, account, amount);
    }

    /// @notice Repay part of an unhealthy position's debt and seize its collateral plus a bonus.
    function liquidate(address account, uint256 repayAmount) external nonReentrant returns (uint256 seized) {
        if (inGracePeriod(Scopes.BORROW)) revert LiquidationInGracePeriod();
        if (repayAmount == 0) revert NoAmount();
        if (_healthy(account)) revert StillHealthy(account);
        uint256 debt = debtOf[account];
        if (repayAmount > debt) repayAmount = debt;
        (uint256 price,) = _price();
        seized = (repayAmount * _collateralUnit * 1e8 / (price * _quoteUnit)) * (10_000 + LIQUIDATION_BONUS_BPS) / 10_000;
        if (seized > collateralOf[account]) seized = collateralOf[account];
        quote.safeTransferFrom(msg.sender, address(this), repayAmount);
        _recordRepayment(address(quote), repayAmount);
        debtOf[account] = debt - repayAmount;
        totalDebt -= repayAmount;
        collateralOf[account] -= seized;
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.LIQUIDATION, address(collateral), seized, account, msg.sender, address(this));
        if (payNow != 0) collateral.safeTransfer(msg.sender, payNow);
        if (queueId != 0) _escrowQueued(address(collateral), seized - payNow);
        emit Liquidated(msg.sender, account, repayAmount, seized);
    }

    /// @notice Value of `account`'s collateral in quote units at the feed's price.
    function collateralValue(address account) public view returns (uint256) {
        (uint256 price,) = _price();
        return collateralOf[account] * price * _quoteUnit / 1e8 / _collateralUnit;
    }

    /// @notice The most `account` may owe (loan-to-value of its collateral).
    function maxDebtOf(address account) public view returns (uint256) {
        return collateralValue(account) * LTV_BPS / 10_000;
    }

    function _healthy(address account) private view returns (bool) {
        return debtOf[account] * 10_000 <= collateralValue(account) * LIQUIDATION_THRESHOLD_BPS;
    }

    function _requireWithinLtv(address account) private view {
        uint256 maxDebt = maxDebtOf(account);
        if (debtOf[account] > maxDebt) revert Unhealthy(account, debtOf[account], maxDebt);
    }

    function _price() private view returns (uint256 price, uint256 updatedAt) {
        (price, updatedAt) = feed.latestPrice();
        if (block.timestamp > updatedAt + MAX_PRICE_AGE) revert StalePrice(updatedAt);
    }

    /// @dev Guarded payout to msg.sender: pay the headroom now, escrow a queued excess.
    function _payOut(bytes32 scope, IERC20 token, uint256 amount) private returns (uint256 queueId) {
        uint256 payNow;
        (payNow, queueId) = _guardOutflow(scope, address(token), amount, msg.sender, msg.sender, address(this));
        if (payNow != 0) token.safeTransfer(msg.sender, payNow);
        if (queueId != 0) _escrowQueued(address(token), amount - payNow);
    }

    /// @dev A vetoed queued outflow: its tokens are back in the pool; give the recipient back what
    /// it had consumed — a vetoed borrow cancels that debt, a vetoed supply withdrawal re-credits
    /// the supply, vetoed collateral (a withdrawal or a liquidator's seizure) becomes collateral.
    function _restoreVetoedOutflow(uint256 id, QueuedOutflow memory q) internal override returns (bool) {
        if (q.asset == address(collateral)) {
            collateralOf[q.recipient] += q.amount;
        } else if (q.scope == Scopes.BORROW) {
            uint256 cancel = q.amount < debtOf[q.recipient] ? q.amount : debtOf[q.recipient];
            debtOf[q.recipient] -= cancel;
            totalDebt -= cancel;
            supplied[q.recipient] += q.amount - cancel;
            totalSupplied += q.amount - cancel;
        } else {
            supplied[q.recipient] += q.amount;
            totalSupplied += q.amount;
        }
        emit OutflowRestored(id, q.recipient, q.asset, q.amount, q.scope);
        return true;
    }

    function _transferOutAsset(address token, address to, uint256 amount) internal override {
        IERC20(token).safeTransfer(to, amount);
    }
}
