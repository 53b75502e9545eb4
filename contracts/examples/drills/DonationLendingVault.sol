// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Breakable} from "../../breaker/Breakable.sol";
import {Scopes} from "../../breaker/Scopes.sol";

/// @title DonationLendingVault
/// @notice DRILL ONLY — deliberately vulnerable. Do not deploy with real funds.
///
/// A one-asset lending vault in the shape of Euler v1 (drained 2023-03-13, ~$197M, one
/// transaction per market): accounts hold collateral (eToken) and debt (dToken) of the same
/// asset; `mint` creates both at once (leverage without moving tokens); liquidation transfers
/// collateral and debt to the liquidator at a discount that grows with how unhealthy the
/// violator is (up to 20%).
///
/// THE BUG: `donateToReserves` lowers the donor's collateral WITHOUT a health check (Euler's
/// eIP-14 added it without `checkLiquidity`). An account can make itself deeply insolvent on
/// purpose, so that its own second account liquidates it at the maximum discount: the
/// liquidator receives collateral worth 1/(1-20%) of the debt it assumes, and withdraws the
/// difference — the honest depositors' cash — in the same transaction. The violator's
/// leftover debt is bad debt.
///
/// Breaker integration (README): deposit is an ENTRY (`_guardInflow(DEPOSIT)`); mint is an
/// ENTRY of the BORROW group (`whenScopeActive(BORROW)`); withdraw is an EXIT
/// (`_guardOutflow(WITHDRAW)`: pause + the outflow limit, which is what caps a one-transaction
/// drain that no keeper can front-run); repay is never blocked (`_recordRepayment`);
/// liquidation is not paused but waits out the grace period after a BORROW pause.
contract DonationLendingVault is Breakable {
    using SafeERC20 for IERC20;

    uint256 private constant WAD = 1e18;
    /// @notice Health = collateral * 0.95 / debt (same-asset "self-collateralisation" factor).
    uint256 public constant COLLATERAL_FACTOR = 0.95e18;
    /// @notice The liquidation discount is 1 - health, capped here.
    uint256 public constant MAX_DISCOUNT = 0.2e18;

    IERC20 public immutable asset;

    mapping(address => uint256) public collateralOf;
    mapping(address => uint256) public debtOf;
    uint256 public totalCollateral;
    uint256 public totalDebt;
    /// @notice Collateral donated to the protocol.
    uint256 public reserves;

    event Deposited(address indexed account, uint256 amount);
    event Withdrawn(address indexed account, uint256 amount, uint256 queueId);
    event Minted(address indexed account, uint256 amount);
    event Repaid(address indexed account, uint256 amount);
    event DonatedToReserves(address indexed account, uint256 amount);
    /// @notice `debtLeft` > 0 with `collateralLeft` == 0 means the violator was left with bad debt.
    event Liquidation(
        address indexed liquidator,
        address indexed violator,
        uint256 repay,
        uint256 yield,
        uint256 debtLeft,
        uint256 collateralLeft
    );

    error Unhealthy(address account, uint256 health);
    error PositionHealthy(address account, uint256 health);
    error InsufficientCollateral(address account, uint256 requested, uint256 available);
    error RepayExceedsDebt(address account, uint256 amount, uint256 debt);
    error SelfLiquidation();
    error LiquidationInGracePeriod();

    constructor(IERC20 asset_, address admin, uint64 maxPause, uint64 grace) Breakable(admin, maxPause, grace) {
        if (address(asset_) == address(0)) revert ZeroAddress();
        asset = asset_;
    }

    /// @notice Deposit `amount` as collateral (entry: blocked while DEPOSIT or GLOBAL is paused).
    function deposit(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _guardInflow(Scopes.DEPOSIT, address(asset), amount, msg.sender, msg.sender);
        collateralOf[msg.sender] += amount;
        totalCollateral += amount;
        asset.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(msg.sender, amount);
    }

    /// @notice Withdraw `amount` of collateral, staying healthy (exit: pause and outflow limit).
    function withdraw(uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        uint256 c = collateralOf[msg.sender];
        if (amount > c) revert InsufficientCollateral(msg.sender, amount, c);
        collateralOf[msg.sender] = c - amount;
        totalCollateral -= amount;
        _requireHealthy(msg.sender);
        (uint256 payNow, uint256 queueId) =
            _guardOutflow(Scopes.WITHDRAW, address(asset), amount, msg.sender, msg.sender, address(this));
        if (payNow != 0) asset.safeTransfer(msg.sender, payNow);
        if (queueId != 0) asset.safeTransfer(address(outflowEscrow), amount - payNow);
        emit Withdrawn(msg.sender, amount, queueId);
    }

    /// @notice Leverage: add `amount` to both the caller's collateral and debt (no tokens move).
    /// Entry of the BORROW group: blocked while BORROW or GLOBAL is paused.
    function mint(uint256 amount) external whenScopeActive(Scopes.BORROW) {
        if (amount == 0) revert ZeroAmount();
        collateralOf[msg.sender] += amount;
        debtOf[msg.sender] += amount;
        totalCollateral += amount;
        totalDebt += amount;
        _requireHealthy(msg.sender);
        emit Minted(msg.sender, amount);
    }

    /// @notice Repay `amount` of the caller's debt with tokens. Never blocked by the breaker.
    function repay(uint256 amount) external {
        uint256 d = debtOf[msg.sender];
        if (amount == 0) revert ZeroAmount();
        if (amount > d) revert RepayExceedsDebt(msg.sender, amount, d);
        _recordRepayment(address(asset), amount);
        debtOf[msg.sender] = d - amount;
        totalDebt -= amount;
        asset.safeTransferFrom(msg.sender, address(this), amount);
        emit Repaid(msg.sender, amount);
    }

    /// @notice Give `amount` of the caller's collateral to the protocol's reserves.
    /// @dev THE BUG: no `_requireHealthy(msg.sender)` after lowering the collateral.
    function donateToReserves(uint256 amount) external {
        uint256 c = collateralOf[msg.sender];
        if (amount > c) revert InsufficientCollateral(msg.sender, amount, c);
        collateralOf[msg.sender] = c - amount;
        totalCollateral -= amount;
        reserves += amount;
        emit DonatedToReserves(msg.sender, amount);
    }

    /// @notice Take over up to `repay` of an unhealthy `violator`'s debt together with collateral
    /// worth repay / (1 - discount); the caller must stay healthy. Not paused; refused during the
    /// grace period after a BORROW or global pause.
    function liquidate(address violator, uint256 repay_) external returns (uint256 repaid, uint256 yield) {
        if (inGracePeriod(Scopes.BORROW)) revert LiquidationInGracePeriod();
        if (violator == msg.sender) revert SelfLiquidation();
        uint256 h = healthOf(violator);
        if (h >= WAD) revert PositionHealthy(violator, h);
        uint256 discount = WAD - h;
        if (discount > MAX_DISCOUNT) discount = MAX_DISCOUNT;
        uint256 d = debtOf[violator];
        uint256 c = collateralOf[violator];
        repaid = repay_ > d ? d : repay_;
        yield = repaid * WAD / (WAD - discount);
        if (yield > c) {
            yield = c;
            repaid = yield * (WAD - discount) / WAD;
        }
        debtOf[violator] = d - repaid;
        collateralOf[violator] = c - yield;
        debtOf[msg.sender] += repaid;
        collateralOf[msg.sender] += yield;
        _requireHealthy(msg.sender);
        emit Liquidation(msg.sender, violator, repaid, yield, d - repaid, c - yield);
    }

    /// @notice collateral * COLLATERAL_FACTOR / debt, 1e18-scaled; max without debt.
    function healthOf(address account) public view returns (uint256) {
        uint256 d = debtOf[account];
        if (d == 0) return type(uint256).max;
        return collateralOf[account] * COLLATERAL_FACTOR / d;
    }

    /// @notice Tokens held by the vault.
    function cash() external view returns (uint256) {
        return asset.balanceOf(address(this));
    }

    function _requireHealthy(address account) private view {
        uint256 h = healthOf(account);
        if (h < WAD) revert Unhealthy(account, h);
    }

    function _transferOutAsset(address token, address to, uint256 amount) internal override {
        IERC20(token).safeTransfer(to, amount);
    }
}
