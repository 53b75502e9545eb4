// Gas of a guarded vault vs the same vault unguarded, from receipts' gasUsed.
// Every measured call is a fresh transaction on warm-but-not-accessed storage,
// as a user would send it.
import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";

export type GasRow = { baseline: number; protected: number; overhead: number };

const DAY = 86_400n;

async function gas(txPromise: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>): Promise<number> {
  const receipt = await (await txPromise).wait();
  if (!receipt) throw new Error("transaction was not mined");
  return Number(receipt.gasUsed);
}

export async function benchBreaker(
  ethers: HardhatEthers,
  advanceTime: (seconds: number) => Promise<void>,
): Promise<Record<string, GasRow | Record<string, number>>> {
  const [admin, alice] = await ethers.getSigners();
  const unit = 10n ** 18n;
  const token = await ethers.deployContract("TestToken", ["Bench token", "BNCH", 18]);
  const plain = await ethers.deployContract("PlainVault", [await token.getAddress()]);
  const pausable = await ethers.deployContract("PausableVault", [await token.getAddress()]);
  const guarded = await ethers.deployContract("ProtectedVault", [
    await token.getAddress(), "Guarded vault", "gVLT", admin.address, 14n * DAY, DAY,
  ]);
  // Capacity 10,000 tokens per day, refilling continuously; inflows credit the limiter.
  await guarded.setLimit(await token.getAddress(), {
    maxCapacity: 10_000n * unit, window: DAY, minTvl: 0n, mode: 0, settlementDelay: 0n, inflowCredit: true,
  });
  // A vault whose only protection is the pause check (no asset limit registered on the
  // function measured): the guarded vault's `whenScopeActive` path, through a probe.
  const probe = await ethers.deployContract("PauseCheckProbe", [admin.address]);
  const plainProbe = await ethers.deployContract("PlainProbe");

  for (const v of [plain, pausable, guarded]) {
    await token.mint(alice.address, 1_000_000n * unit);
    await token.connect(alice).approve(await v.getAddress(), ethers.MaxUint256);
    await v.connect(alice).deposit(100_000n * unit, alice.address); // warm-up: first deposit mints
  }

  const results: Record<string, GasRow | Record<string, number>> = {};
  const row = (b: number, p: number): GasRow => ({ baseline: b, protected: p, overhead: p - b });
  const each = async (fn: (v: typeof plain) => Promise<number>) => {
    const out: number[] = [];
    for (const v of [plain, pausable, guarded]) out.push(await fn(v as typeof plain));
    return out;
  };

  // Deposit after the limiter's capacity was used, so the inflow credit writes the slot.
  await each(async (v) => gas(v.connect(alice).withdraw(1_000n * unit, alice.address, alice.address)));
  const dep = await each(async (v) => gas(v.connect(alice).deposit(500n * unit, alice.address)));
  results.deposit = row(dep[0], dep[2]);

  await advanceTime(2 * 86_400); // a new window: capacity full
  const first = await each(async (v) => gas(v.connect(alice).withdraw(1_000n * unit, alice.address, alice.address)));
  results.withdrawFirstInWindow = row(first[0], first[2]);
  await advanceTime(60);
  const same = await each(async (v) => gas(v.connect(alice).withdraw(1_000n * unit, alice.address, alice.address)));
  results.withdrawSameWindow = row(same[0], same[2]);
  await advanceTime(6 * 3_600); // partial refill
  const refill = await each(async (v) => gas(v.connect(alice).withdraw(1_000n * unit, alice.address, alice.address)));
  results.withdrawAfterRefill = row(refill[0], refill[2]);

  const pauseOnly = await gas(probe.poke());
  const pauseBase = await gas(plainProbe.poke());
  results.pauseCheckOnly = row(pauseBase, pauseOnly);

  // History independence: 50 withdrawals spread over days, then one more.
  for (let i = 0; i < 50; i++) {
    await guarded.connect(alice).withdraw(10n * unit, alice.address, alice.address);
    await advanceTime(3_600);
  }
  const after50 = await gas(guarded.connect(alice).withdraw(1_000n * unit, alice.address, alice.address));
  const plainAfter = await gas(plain.connect(alice).withdraw(1_000n * unit, alice.address, alice.address));
  results.withdrawAfter50Withdrawals = row(plainAfter, after50);

  // The emergency path itself (breaker side only): a guardian pause and the keeper's sentinel pause.
  const [, , sentinel] = await ethers.getSigners();
  await guarded.setSentinel(sentinel.address, 86_400n, 3_600n);
  const GLOBAL = ethers.id("breakwater.scope.GLOBAL");
  const WITHDRAW = ethers.id("breakwater.scope.WITHDRAW");
  results.emergency = {
    breakerPauseGlobal: await gas(guarded.pause(GLOBAL, 86_400n)),
    sentinelPauseScope: await gas(guarded.connect(sentinel).sentinelPause(WITHDRAW, 3_600n)),
  };

  results.reference = {
    ozWhenNotPausedWithdrawOverhead: same[1] - same[0],
    ozWhenNotPausedDepositOverhead: dep[1] - dep[0],
  };
  return results;
}
