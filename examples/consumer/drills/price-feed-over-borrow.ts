// This project's own drill, written with the scenario API: the price feed's reporter key is
// stolen, the collateral is priced 1,000x, and the attacker borrows the pool's pUSD over several
// blocks. On the embedded chain the scenario deploys the protocol (drills/_pool.ts); on a fork it
// attaches to the address book's `contracts.pool` and the admin named in the book (impersonated)
// hands the sentinel role to the drill's keeper key, as a library scenario does.
//
//   npx hardhat breakwater drill run ./drills/price-feed-over-borrow.ts
//   npx hardhat breakwater drill run ./drills/price-feed-over-borrow.ts --fork-url http://127.0.0.1:8545 \
//     --address-book deployments/localhost.json --keeper-config keeper.config.ts
import { Contract } from "ethers";
import { balanceOf, defineScenario, drillNames, sendCall, tokenUnit, type DrillChain, type StepContext } from "breakwater/drills";
import { E18, FEED_ABI, LAUNCH_PRICE, POOL_ABI, TOKEN_ABI, USD, poolStack, type PoolStack } from "./_pool.js";

/** The stolen reporter key posts 1,000x the launch price. */
const ATTACK_PRICE = LAUNCH_PRICE * 1_000n;
const COLLATERAL = 10n * E18;
/** Each malicious borrow: above any honest borrow of this pool (the keeper's rule says > 100,000 pUSD). */
const BORROW = 110_000n * USD;
const BORROWS = 4;
const GWEI = 10n ** 9n;

interface State extends PoolStack {
  chain: DrillChain;
  names: Record<string, string>;
  attacker: string;
  unit: { symbol: string; decimals: number };
  tick: number;
}

export default defineScenario<State>({
  id: "price-feed-over-borrow",
  title: "Stolen price-reporter key: collateral priced 1,000x, the pool's pUSD borrowed over several blocks",
  incidentClass: "oracle key compromise, over-borrow against inflated collateral",
  reference: { incident: "Mango Markets (oracle manipulation, borrow against inflated collateral)", date: "2022-10-11", loss: "~$114M", url: "https://www.mango.markets/" },
  summary:
    "The reporter key of the pool's push feed is stolen: it posts 1,000x the pWETH price and, in the same block, the attacker borrows 110,000 pUSD against 10 pWETH, then again each block. The keeper's matcher on large Borrowed events pauses BORROW; the next borrows revert.",
  blockIntervalMs: 600,
  warmupBlocks: 3,
  cooldownBlocks: 2,
  expectations: { mustDetect: true, containWithinBlocks: 1, maxFalseAlarms: 0 },

  async setup(chain, actors) {
    const stack = await poolStack(chain, actors);
    // The drill's keeper key becomes the pool's sentinel, set by the pool's admin (on a fork: the
    // book's roles.admin, impersonated by the runner as actors.deployer).
    await (await (new Contract(stack.pool, POOL_ABI, actors.deployer) as Contract).getFunction("setSentinel")(actors.sentinel.address, 2 * 3_600, 86_400)).wait();
    // The attacker's collateral (minted: the deployer owns the test tokens here and on the node).
    const attacker = await actors.attackers[0]!.getAddress();
    const minter = (await chain.ethers.getSigners())[0]!;
    await (await (new Contract(stack.weth, TOKEN_ABI, minter) as Contract).getFunction("mint")(attacker, COLLATERAL)).wait();
    await (await (new Contract(stack.weth, TOKEN_ABI, actors.attackers[0]!) as Contract).getFunction("approve")(stack.pool, COLLATERAL)).wait();
    await (await (new Contract(stack.pool, ["function addCollateral(uint256)"], actors.attackers[0]!) as Contract).getFunction("addCollateral")(COLLATERAL)).wait();
    // Honest users lend small amounts every block (background traffic: no false alarm allowed).
    for (const u of actors.users.slice(0, 2)) {
      await (await (new Contract(stack.usd, TOKEN_ABI, minter) as Contract).getFunction("mint")(await u.getAddress(), 100_000n * USD)).wait();
      await (await (new Contract(stack.usd, TOKEN_ABI, u) as Contract).getFunction("approve")(stack.pool, 100_000n * USD)).wait();
    }
    return { ...stack, chain, attacker, names: await drillNames(chain, actors), unit: await tokenUnit(chain, stack.usd), tick: 0 };
  },

  keeper: (s) => ({
    breaker: s.pool,
    named: { pool: s.pool, feed: s.feed, usd: s.usd },
    // With --keeper-config no rules here: the team's production rules are rehearsed; else the same two.
    rules: s.chain.keeperConfig
      ? []
      : [
          {
            id: "huge-borrow",
            description: "One borrow above 100,000 pUSD: far above any honest borrow of this pool.",
            severity: "P1",
            action: "pause",
            act: true,
            pause: { scope: "BORROW", durationSeconds: 3_600 },
            detector: {
              kind: "matcher",
              addresses: ["$pool"],
              events: [{ signature: "Borrowed(address indexed account, uint256 amount, uint256 debtAfter, uint256 queueId)", where: { arg: "amount", op: "gt", value: "100000e6" } }],
            },
          },
          {
            id: "price-jump",
            description: "The collateral price was posted above 10,000 USD (5x the launch price).",
            severity: "P2",
            action: "alert",
            detector: { kind: "matcher", addresses: ["$feed"], events: [{ signature: "PriceUpdated(uint256 price, uint256 previous, address indexed reporter)", where: { arg: "price", op: "gt", value: "10000e8" } }] },
          },
        ],
  }),

  protectedFunds: (s) => balanceOf(s.chain, s.usd, s.pool),
  unit: (s) => s.unit,

  async background(s, ctx) {
    const who = s.names[`user${s.tick++ % 2}`]!;
    await sendCall(ctx, "benign", { to: "$pool", signature: "supply(uint256)", args: ["1000e6"], note: "a lender supplies 1,000 pUSD" }, s.names, who);
  },

  async attack(s, ctx: StepContext) {
    const reporter = await s.chain.impersonate(s.reporter);
    const attacker = await s.chain.impersonate(s.attacker);
    const feed = new Contract(s.feed, FEED_ABI, reporter);
    const pool = new Contract(s.pool, ["function borrow(uint256)"], attacker);
    ctx.record.note(`the stolen reporter key ${s.reporter} posts ${ATTACK_PRICE / 10n ** 8n} pUSD per pWETH`);
    // The price post outbids the borrow so both land in one block, in that order.
    await ctx.send("malicious", () => feed.getFunction("setPrice")(ATTACK_PRICE, { gasLimit: 200_000, maxPriorityFeePerGas: 20n * GWEI, maxFeePerGas: 500n * GWEI }), "setPrice: 1,000x the launch price");
    for (let i = 0; i < BORROWS; i++) {
      await ctx.send("malicious", () => pool.getFunction("borrow")(BORROW, { gasLimit: 500_000, maxPriorityFeePerGas: 2n * GWEI, maxFeePerGas: 500n * GWEI }), `borrow ${i + 1}: 110,000 pUSD`);
      await ctx.nextBlock();
    }
  },

  facts: async (s) => ({ pool: s.pool, feed: s.feed, attacker: s.attacker, attackerDebt: String(await new Contract(s.pool, ["function debtOf(address) view returns (uint256)"], s.chain.ethers.provider).getFunction("debtOf")(s.attacker)) }),
});
