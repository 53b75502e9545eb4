import { expect } from "chai";
import { id, Interface } from "ethers";
import { createDetectors, defineInvariant, parseRules, type RuleInput } from "../../keeper/detectors/index.js";
import type { Detector, Finding } from "../../keeper/types.js";
import { addr, block, coder, FakeChain, hash, log, topicAddr, transfer, tx } from "./detectors-helpers.js";

const VAULT = addr(0xa11);
const TOKEN = addr(0x70c);
const USER = addr(0x05e);
const ATTACKER = addr(0xbad);

const WITHDRAW = id("Withdraw(address,address,address,uint256,uint256)");
const withdrawLog = (assets: bigint, owner: string, txHash: string, logIndex = 0) =>
  log(VAULT, [WITHDRAW, topicAddr(owner), topicAddr(owner), topicAddr(owner)], coder.encode(["uint256", "uint256"], [assets, assets]), txHash, logIndex);

const vaultIface = new Interface(["function withdraw(uint256 assets, address receiver, address owner)", "function pause(bytes32 scope, uint64 duration)"]);

function rules(input: RuleInput[]) {
  return parseRules(input);
}

async function run(ds: Detector[], chain: FakeChain, b: ReturnType<typeof block>): Promise<Finding[]> {
  const ctx = chain.ctx(b);
  return (await Promise.all(ds.map((d) => d.evaluate(ctx)))).flat();
}

describe("keeper/detectors: schema", () => {
  it("validates a rule of each kind and gives clear errors", () => {
    expect(() =>
      parseRules([{ id: "x", severity: "P1", action: "pause", detector: { kind: "matcher", events: [{ signature: "Paused(bytes32)" }] } }]),
    ).to.throw(/no pause/);
    expect(() => parseRules([{ id: "x", severity: "P1", detector: { kind: "matcher" } }])).to.throw(/at least one of events/);
    expect(() =>
      parseRules([{ id: "x", severity: "P1", detector: { kind: "invariant", invariant: { type: "view-compare", target: VAULT, signature: "totalAssets()", op: "gte" } } }]),
    ).to.throw(/exactly one of value or other/);
    expect(() =>
      parseRules([{ id: "x", severity: "P1", detector: { kind: "matcher", events: [{ signature: "T(uint256)", where: { arg: 0, op: "gt", value: 2 ** 60 } }] } }]),
    ).to.throw(/strings/);
    const [r] = parseRules([{ id: "ok", severity: "P2", detector: { kind: "matcher", events: [{ signature: "Paused(bytes32)" }] } }]);
    expect(r.act).to.equal(false);
    expect(r.onError).to.equal("fail-open");
    expect(r.action).to.equal("alert");
  });

  it("rejects a condition on an argument the signature does not name", () => {
    const rs = rules([
      { id: "w", severity: "P3", detector: { kind: "matcher", addresses: [VAULT], events: [{ signature: "Withdraw(address,address,address,uint256,uint256)", where: { arg: "assets", op: "gt", value: "1" } }] } },
    ]);
    expect(() => createDetectors(rs)).to.throw(/no argument named "assets".*positions/);
    expect(() => createDetectors(rules([{ id: "n", severity: "P3", detector: { kind: "matcher", addresses: ["$vault"], events: [{ signature: "X()" }] } }]))).to.throw(
      /unknown address name "\$vault"/,
    );
  });
});

describe("keeper/detectors: matcher", () => {
  const chain = new FakeChain();

  it("matches events by named and positional arguments, bigint-safe", async () => {
    const ds = createDetectors(
      rules([
        {
          id: "big-withdraw",
          severity: "P2",
          detector: {
            kind: "matcher",
            addresses: ["$vault"],
            events: [
              {
                signature: "Withdraw(address indexed sender, address indexed receiver, address indexed owner, uint256 assets, uint256 shares)",
                where: { all: [{ arg: "assets", op: "gte", value: "1000e18" }, { arg: "$2", op: "neq", value: VAULT }] },
              },
            ],
            fingerprintBy: ["address", "arg:owner"],
          },
        },
        {
          id: "positional",
          severity: "P3",
          detector: { kind: "matcher", addresses: [VAULT], events: [{ signature: "Withdraw(address,address,address,uint256,uint256)", where: { arg: 3, op: "gt", value: "999999999999999999999" } }] },
        },
      ]),
      { named: { vault: VAULT } },
    );
    const t1 = hash("t1");
    const t2 = hash("t2");
    const b = block(10, [tx({ hash: t1, from: USER, to: VAULT }), tx({ hash: t2, from: USER, to: VAULT })], [
      withdrawLog(10n ** 21n, USER, t1),
      withdrawLog(10n ** 20n, USER, t2, 1), // below threshold
      withdrawLog(5n * 10n ** 21n, USER, t2, 2), // same fingerprint: coalesced
    ]);
    const fs = await run(ds, chain, b);
    const big = fs.filter((f) => f.ruleId === "big-withdraw");
    expect(big).to.have.length(1);
    expect(big[0].fingerprint).to.equal(`big-withdraw:${VAULT}:${USER}`);
    expect(big[0].details.count).to.equal(2);
    expect((big[0].details.matches as { args: Record<string, string> }[])[0].args.assets).to.equal((10n ** 21n).toString());
    expect(fs.filter((f) => f.ruleId === "positional")).to.have.length(1);
  });

  it("ignores events from other addresses and the wrong layout", async () => {
    const ds = createDetectors(rules([{ id: "t", severity: "P3", detector: { kind: "matcher", addresses: [TOKEN], events: [{ signature: "Transfer(address,address,uint256)" }] } }]));
    const t = hash("x");
    const fs = await run(ds, chain, block(11, [tx({ hash: t })], [transfer(addr(0x999), USER, ATTACKER, 5n, t)]));
    expect(fs).to.have.length(0);
    const fs2 = await run(ds, chain, block(12, [tx({ hash: t })], [transfer(TOKEN, USER, ATTACKER, 5n, t)]));
    expect(fs2).to.have.length(1);
  });

  it("matches direct function calls by decoded input and status", async () => {
    const ds = createDetectors(
      rules([
        {
          id: "fn",
          severity: "P2",
          detector: {
            kind: "matcher",
            addresses: [VAULT],
            functions: [{ signature: "withdraw(uint256 assets, address receiver, address owner)", where: { arg: "receiver", op: "in", value: [ATTACKER] }, status: "success" }],
            fingerprintBy: ["from"],
          },
        },
      ]),
    );
    const input = vaultIface.encodeFunctionData("withdraw", [123n, ATTACKER, USER]);
    const fs = await run(ds, chain, block(13, [
      tx({ from: ATTACKER, to: VAULT, input }),
      tx({ from: ATTACKER, to: VAULT, input, success: false }), // reverted: status success required
      tx({ from: USER, to: VAULT, input: vaultIface.encodeFunctionData("withdraw", [1n, USER, USER]) }),
    ]));
    expect(fs).to.have.length(1);
    expect(fs[0].fingerprint).to.equal(`fn:${ATTACKER}`);
  });

  it("matches transactions on from / value / status", async () => {
    const ds = createDetectors(
      rules([
        {
          id: "tx",
          severity: "P4",
          detector: { kind: "matcher", addresses: [VAULT], transactions: [{ status: "failed", where: { any: [{ arg: "value", op: "gt", value: "0" }, { arg: "from", op: "eq", value: ATTACKER }] } }] },
        },
      ]),
    );
    const fs = await run(ds, chain, block(14, [
      tx({ from: ATTACKER, to: VAULT, success: false, hash: hash("f1") }),
      tx({ from: ATTACKER, to: VAULT, success: true }),
      tx({ from: USER, to: addr(0x123), success: false, value: 5n }), // not involving the vault
    ]));
    expect(fs).to.have.length(1);
    expect(fs[0].txHash).to.equal(hash("f1"));
  });

  it("requires the transaction condition AND an event when both are given (OZ Monitor semantics)", async () => {
    const ds = createDetectors(
      rules([
        {
          id: "both",
          severity: "P3",
          detector: { kind: "matcher", addresses: [TOKEN], events: [{ signature: "Transfer(address,address,uint256)" }], transactions: [{ status: "success", where: { arg: "from", op: "eq", value: ATTACKER } }] },
        },
      ]),
    );
    const a = hash("a");
    const u = hash("u");
    const fs = await run(ds, chain, block(15, [tx({ hash: a, from: ATTACKER, to: TOKEN }), tx({ hash: u, from: USER, to: TOKEN })], [
      transfer(TOKEN, ATTACKER, USER, 1n, a),
      transfer(TOKEN, USER, ATTACKER, 1n, u, 1),
    ]));
    expect(fs.map((f) => f.txHash)).to.deep.equal([a]);
  });
});

describe("keeper/detectors: invariants and batching", () => {
  const A = addr(0xaaa);
  function setup() {
    const chain = new FakeChain();
    let totalAssets = 1_000n * 10n ** 18n;
    let balance = 1_000n * 10n ** 18n;
    let price = 10n ** 18n;
    chain.view(VAULT, "totalAssets()", ["uint256"], () => [totalAssets]);
    chain.view(VAULT, "totalSupply()", ["uint256"], () => [totalAssets]);
    chain.view(VAULT, "convertToAssets(uint256)", ["uint256"], (_b, [shares]) => [((shares as bigint) * price) / 10n ** 18n]);
    chain.view(TOKEN, "balanceOf(address)", ["uint256"], () => [balance]);
    chain.view(VAULT, "isPaused(bytes32)", ["bool"], () => [false]);
    chain.view(A, "broken()", ["uint256"], () => null);
    const rs = rules([
      { id: "ta-positive", severity: "P2", detector: { kind: "invariant", invariant: { type: "view-compare", target: VAULT, signature: "totalAssets()", op: "gt", value: 0 } } },
      {
        id: "supply-vs-assets",
        severity: "P2",
        detector: { kind: "invariant", invariant: { type: "view-compare", target: VAULT, signature: "totalAssets()", op: "gte", other: { target: VAULT, signature: "totalSupply()" } } },
      },
      { id: "price", severity: "P1", detector: { kind: "invariant", invariant: { type: "share-price-drop", vault: VAULT, maxDropBps: 100 } } },
      {
        id: "covers",
        severity: "P1",
        detector: { kind: "invariant", invariant: { type: "balance-covers", token: TOKEN, holder: VAULT, call: { target: VAULT, signature: "totalAssets()" } } },
      },
      { id: "custom", severity: "P3", detector: { kind: "invariant", invariant: { type: "custom", name: "notPaused", params: { scope: id("breakwater.scope.GLOBAL") } } } },
      { id: "reverts", severity: "P3", detector: { kind: "invariant", invariant: { type: "view-compare", target: A, signature: "broken()", op: "eq", value: 1 } } },
      { id: "stat", severity: "P2", detector: { kind: "statistic", token: TOKEN, holder: VAULT } },
    ]);
    const notPaused = defineInvariant<{ scope: string }>({
      calls: (_b, p) => [{ target: VAULT, signature: "isPaused(bytes32)", args: [p.scope], returns: "bool" }],
      check: ([paused]) => (paused.value === false ? true : { summary: "vault is paused", key: VAULT }),
    });
    const ds = createDetectors(rs, { invariants: { notPaused: notPaused as never } });
    return {
      chain,
      ds,
      set: (v: { totalAssets?: bigint; balance?: bigint; price?: bigint }) => {
        totalAssets = v.totalAssets ?? totalAssets;
        balance = v.balance ?? balance;
        price = v.price ?? price;
      },
    };
  }

  async function settle(ds: Detector[], chain: FakeChain, n: number) {
    const ctx = chain.ctx(block(n));
    return Promise.allSettled(ds.map((d) => d.evaluate(ctx)));
  }

  it("issues exactly ONE readAt per block for all invariants and statistics of all rules", async () => {
    const { chain, ds } = setup();
    for (let n = 1; n <= 5; n++) await settle(ds, chain, n);
    expect(chain.readAtCalls).to.equal(5);
    // 1 + 2 + 1 + 2 + 1 + 1 + 1 calls per block
    expect(chain.callsPerReadAt).to.deep.equal([9, 9, 9, 9, 9]);
    expect(ds.batch.readAtCalls).to.equal(5);
  });

  it("reports broken invariants; a reverting read is an error of that rule only", async () => {
    const { chain, ds, set } = setup();
    let res = await settle(ds, chain, 1);
    const byRule = (r: typeof res) =>
      Object.fromEntries(ds.map((d, i) => [d.ruleId, r[i].status === "fulfilled" ? (r[i] as PromiseFulfilledResult<Finding[]>).value.length : "error"]));
    expect(byRule(res)).to.deep.equal({ "ta-positive": 0, "supply-vs-assets": 0, price: 0, covers: 0, custom: 0, reverts: "error", stat: 0 });
    expect(String((res[5] as PromiseRejectedResult).reason)).to.match(/broken\(\) on .* reverted/);
    // drain: balance below totalAssets, share price -50%
    set({ balance: 400n * 10n ** 18n, price: 5n * 10n ** 17n });
    res = await settle(ds, chain, 2);
    expect(byRule(res)).to.include({ price: 1, covers: 1, "ta-positive": 0 });
    const price = (res[2] as PromiseFulfilledResult<Finding[]>).value[0];
    expect(price.fingerprint).to.equal(`price:invariant:${VAULT}`);
    expect(price.details.dropBps).to.equal(5000);
    // no further drop: no new finding
    res = await settle(ds, chain, 3);
    expect(byRule(res)).to.include({ price: 0 });
  });

  it("share-price-drop rolls back with a reorg", async () => {
    const { chain, ds, set } = setup();
    const price = ds.find((d) => d.ruleId === "price")!;
    await settle(ds, chain, 1);
    set({ price: 9n * 10n ** 17n });
    expect(await price.evaluate(chain.ctx(block(2)))).to.have.length(1);
    price.rollback!(1);
    set({ price: 10n ** 18n });
    expect(await price.evaluate(chain.ctx({ ...block(2), hash: hash("fork-2") }))).to.have.length(0);
  });
});

describe("keeper/detectors: attack stage", () => {
  const FUNDER = addr(0xf00);
  const NEW = addr(0xc0ffee);
  const PROTECTED = VAULT;

  it("flags a contract deployed by a freshly funded account", async () => {
    const chain = new FakeChain();
    const [d] = createDetectors(rules([{ id: "fresh", severity: "P2", detector: { kind: "attack-stage", signal: { type: "fresh-deployer", withinBlocks: 50 } } }]));
    expect(await d.evaluate(chain.ctx(block(100, [tx({ from: FUNDER, to: ATTACKER, value: 10n ** 18n })])))).to.have.length(0);
    const fs = await d.evaluate(chain.ctx(block(110, [tx({ from: ATTACKER, to: null, nonce: 0, createdContract: NEW })])));
    expect(fs).to.have.length(1);
    expect(fs[0].fingerprint).to.equal(`fresh:fresh-deployer:${ATTACKER}`);
    expect(fs[0].summary).to.match(/funded 10 blocks/);
    // an old account (high nonce) or funding outside the window is not fresh
    expect(await d.evaluate(chain.ctx(block(111, [tx({ from: USER, to: null, nonce: 40, createdContract: addr(0x1) })])))).to.have.length(0);
    expect(await d.evaluate(chain.ctx(block(200, [tx({ from: ATTACKER, to: null, nonce: 1, createdContract: addr(0x2) })])))).to.have.length(0);
  });

  it("in protected mode fires when the fresh contract touches a protected address", async () => {
    const chain = new FakeChain();
    const [d] = createDetectors(
      rules([{ id: "fresh-p", severity: "P2", detector: { kind: "attack-stage", signal: { type: "fresh-deployer", withinSeconds: 3600, protected: [PROTECTED] } } }]),
    );
    await d.evaluate(chain.ctx(block(1, [tx({ from: FUNDER, to: ATTACKER, value: 1n })])));
    expect(await d.evaluate(chain.ctx(block(2, [tx({ from: ATTACKER, to: null, nonce: 0, createdContract: NEW })])))).to.have.length(0);
    const h = hash("attack");
    const fs = await d.evaluate(chain.ctx(block(3, [tx({ hash: h, from: ATTACKER, to: NEW })], [withdrawLog(1n, NEW, h)])));
    expect(fs).to.have.length(1);
    expect(fs[0].target).to.equal(PROTECTED);
    d.rollback!(1); // the deployment is orphaned
    expect(await d.evaluate(chain.ctx(block(3, [tx({ hash: h, from: ATTACKER, to: NEW })], [withdrawLog(1n, NEW, h)])))).to.have.length(0);
  });

  it("detects flash loans (Balancer) and Uniswap V2 same-token flash swaps, optionally only near protected contracts", async () => {
    const chain = new FakeChain();
    const ds = createDetectors(
      rules([
        { id: "fl", severity: "P3", detector: { kind: "attack-stage", signal: { type: "flash-loan" } } },
        { id: "fl-p", severity: "P2", detector: { kind: "attack-stage", signal: { type: "flash-loan", protected: [PROTECTED] } } },
      ]),
    );
    const BAL = addr(0xba1);
    const PAIR = addr(0x9a1);
    const balTopic = id("FlashLoan(address,address,uint256,uint256)");
    const swapTopic = id("Swap(address,uint256,uint256,uint256,uint256,address)");
    const h1 = hash("fl1");
    const h2 = hash("swap-normal");
    const h3 = hash("swap-flash");
    const b = block(5, [tx({ hash: h1, from: ATTACKER, to: NEW }), tx({ hash: h2, from: USER, to: PAIR }), tx({ hash: h3, from: USER, to: PAIR })], [
      log(BAL, [balTopic, topicAddr(NEW), topicAddr(TOKEN)], coder.encode(["uint256", "uint256"], [10n ** 24n, 0n]), h1),
      withdrawLog(10n ** 20n, NEW, h1, 1),
      log(PAIR, [swapTopic, topicAddr(USER), topicAddr(USER)], coder.encode(["uint256", "uint256", "uint256", "uint256"], [100n, 0n, 0n, 90n]), h2),
      log(PAIR, [swapTopic, topicAddr(USER), topicAddr(USER)], coder.encode(["uint256", "uint256", "uint256", "uint256"], [103n, 0n, 100n, 0n]), h3),
    ]);
    const fs = await run(ds, chain, b);
    const all = fs.filter((f) => f.ruleId === "fl");
    expect(all.map((f) => f.txHash)).to.deep.equal([h1, h3]);
    expect((all[0].details.loans as { kind: string }[])[0].kind).to.equal("balancer-v2");
    const near = fs.filter((f) => f.ruleId === "fl-p");
    expect(near.map((f) => f.txHash)).to.deep.equal([h1]);
    expect(near[0].fingerprint).to.equal(`fl-p:flash-loan:${ATTACKER}`);
  });

  it("flags an approval of a protected asset to a contract created within N blocks", async () => {
    const chain = new FakeChain();
    const [d] = createDetectors(rules([{ id: "appr", severity: "P2", detector: { kind: "attack-stage", signal: { type: "fresh-approval", tokens: [TOKEN], contractAgeBlocks: 10 } } }]));
    const approval = (spender: string, h: string) =>
      log(TOKEN, [id("Approval(address,address,uint256)"), topicAddr(USER), topicAddr(spender)], coder.encode(["uint256"], [2n ** 255n]), h);
    await d.evaluate(chain.ctx(block(1, [tx({ from: ATTACKER, to: null, createdContract: NEW })])));
    const h = hash("ap");
    const fs = await d.evaluate(chain.ctx(block(3, [tx({ hash: h, from: USER, to: TOKEN })], [approval(NEW, h), approval(addr(0x5afe), h)])));
    expect(fs).to.have.length(1);
    expect(fs[0].fingerprint).to.equal(`appr:fresh-approval:${NEW}`);
    expect(fs[0].asset).to.equal(TOKEN);
    // too old
    expect(await d.evaluate(chain.ctx(block(20, [tx({ hash: h, from: USER, to: TOKEN })], [approval(NEW, h)])))).to.have.length(0);
  });
});
