// `npm run keeper -- --config <file>`: load and validate the config, check secrets and every RPC
// (reachable, right chain id), then run the keeper until SIGINT / SIGTERM. Any problem found
// before the start is printed for people on stderr and exits non-zero; nothing is sent.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig, loadConfigFile, parseConfig } from "./config/load.js";
import { CANONICAL_MULTICALL3, multicall3Interface } from "./source/context.js";
import { INCIDENT_USAGE, runIncidentCommand } from "./ops/incident-cli.js";
import type { KeeperConfig } from "./config/schema.js";
import { createLogger, registerSecret, scrubText } from "./ops/log.js";
import { RpcPool, RpcUnavailableError, redactUrl } from "./source/rpc.js";
import { createSigner } from "./signers/index.js";
import { JsonRpcProvider } from "ethers";
import { loadKeeperPlan } from "./policy/plan.js";
import { Keeper } from "./runtime.js";

const USAGE = `usage: breakwater-keeper --config <file.ts|file.json> [--check]
       breakwater-keeper incident list|close <id> --config <file> [--note <text>] [--by <who>]
       breakwater-keeper backtest --help      (the rules over past blocks; nothing is sent)
  (inside the breakwater repository: npm run keeper -- …)

  --config <file>   keeper configuration (see keeper/examples/example-vault.config.ts)
  --check           validate the config, secrets and RPCs, that Multicall3 answers aggregate3 and
                    that the breaker and every named contract have code, then exit (nothing is sent)
  --help            this text`;

function fail(message: string, code = 1): never {
  process.stderr.write(`${scrubText(message)}\n`);
  process.exit(code);
}

/**
 * Every RPC that answers must report the configured chain id; at least one must answer. The
 * others are reported (the keeper starts without them and keeps probing them).
 */
async function checkRpcs(config: KeeperConfig): Promise<string[]> {
  const pool = new RpcPool({ urls: config.chain.rpcUrls, timeoutMs: 5_000 });
  const problems: string[] = [];
  const down: string[] = [];
  for (const [i, url] of config.chain.rpcUrls.entries()) {
    try {
      const id = Number(BigInt(await pool.requestAt<string>(url, "eth_chainId")));
      if (id !== config.chain.chainId) {
        problems.push(`chain.rpcUrls[${i}] (${redactUrl(url)}) is chain ${id}, but chain.chainId is ${config.chain.chainId}`);
      }
    } catch (err) {
      const why = err instanceof RpcUnavailableError ? err.message : `${redactUrl(url)}: ${(err as Error).message}`;
      down.push(`chain.rpcUrls[${i}] is unreachable: ${why}; check the URL and that the node is running`);
    }
  }
  if (down.length === config.chain.rpcUrls.length) problems.push(...down);
  if (problems.length) throw new Error(`RPC check failed:\n  ${problems.join("\n  ")}`);
  return down;
}

/**
 * What the detectors and the sentinel need on chain: Multicall3 answers aggregate3 (an empty
 * batch), and the breaker, the guardian and every named contract have code.
 */
async function checkContracts(config: KeeperConfig): Promise<string[]> {
  const pool = new RpcPool({ urls: config.chain.rpcUrls, timeoutMs: 5_000 });
  const problems: string[] = [];
  const mc = config.chain.multicall3;
  try {
    const raw = await pool.request<string>("eth_call", [{ to: mc, data: multicall3Interface.encodeFunctionData("aggregate3", [[]]) }, "latest"]);
    multicall3Interface.decodeFunctionResult("aggregate3", raw);
  } catch (err) {
    problems.push(`chain.multicall3 ${mc} does not answer aggregate3 (${(err as Error).message.split("\n")[0]}): point it at Multicall3 (the address book's multicall3, or the canonical ${CANONICAL_MULTICALL3})`);
  }
  const named: [string, string][] = [...(config.contracts.breaker ? [["contracts.breaker", config.contracts.breaker] as [string, string]] : []), ...(config.contracts.guardian ? [["contracts.guardian", config.contracts.guardian] as [string, string]] : []), ...Object.entries(config.contracts.named).map(([k, v]) => [`contracts.named.${k} ($${k})`, v] as [string, string])];
  for (const [field, addr] of named) {
    try {
      const code = await pool.request<string>("eth_getCode", [addr, "latest"]);
      if (!code || code === "0x") problems.push(`${field} ${addr} has no code on chain ${config.chain.chainId}: deploy it, or fix the address (contracts.addressBook)`);
    } catch (err) {
      problems.push(`${field} ${addr}: cannot read its code (${(err as Error).message})`);
    }
  }
  return problems;
}

/** Build every configured signer once: a missing key or keystore entry fails here. */
async function checkSigners(config: KeeperConfig): Promise<void> {
  const provider = new JsonRpcProvider(config.chain.rpcUrls[0], config.chain.chainId, { staticNetwork: true });
  try {
    for (const role of ["sentinel", "guardian", "contain"] as const) {
      const s = config.signers[role];
      if (s) await createSigner(s, provider, { chainId: config.chain.chainId, label: `signers.${role}` });
    }
  } finally {
    provider.destroy();
  }
}

async function main(): Promise<void> {
  // `breakwater-keeper backtest …`: calibrate the rules on history (keeper/backtest/cli.ts).
  if (process.argv[2] === "backtest") {
    const { runBacktestCli } = await import("./backtest/cli.js");
    process.exit(await runBacktestCli(process.argv.slice(3)));
  }
  let args;
  try {
    args = parseArgs({
      options: { config: { type: "string", short: "c" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" }, note: { type: "string" }, by: { type: "string" } },
      allowPositionals: true,
    });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, 2);
  }
  if (args.values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = args.values.config;
  if (!file) fail(`missing --config <file>\n${USAGE}`, 2);

  const [command, ...rest] = args.positionals;
  if (command === "incident") {
    try {
      const config = parseConfig(await loadConfigFile(file));
      process.stdout.write(`${runIncidentCommand(config, { action: rest[0], id: rest[1], note: args.values.note, by: args.values.by })}\n`);
    } catch (err) {
      fail((err as Error).message);
    }
    return;
  }
  if (command !== undefined) fail(`unknown command "${command}"\n${USAGE}\n\n${INCIDENT_USAGE}`, 2);

  let config: KeeperConfig;
  let down: string[] = [];
  try {
    const loaded = await loadConfig(file);
    config = loaded.config;
    for (const s of loaded.secrets) registerSecret(s);
    // The plan's severities and routes are part of the config: a bad plan stops here, not at start.
    await loadKeeperPlan(config);
    await checkSigners(config);
    down = await checkRpcs(config);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    fail(`keeper not started: ${(err as Error).message}`);
  }
  for (const d of down) process.stderr.write(`warning: ${scrubText(d)} (the keeper starts with the others and keeps probing it)\n`);
  if (args.values.check) {
    const problems = await checkContracts(config);
    if (problems.length) fail(`check failed:\n  ${problems.join("\n  ")}`);
    process.stdout.write(`config ${file} is valid; RPCs answer chain ${config.chain.chainId}; Multicall3 ${config.chain.multicall3} answers aggregate3; the breaker and ${Object.keys(config.contracts.named).length} named contract(s) have code\n`);
    return;
  }

  const logger = createLogger({ level: config.ops.logLevel, name: config.name });
  const keeper = new Keeper({ config, logger });
  try {
    await keeper.start();
  } catch (err) {
    await keeper.stop().catch(() => undefined);
    fail(`keeper not started: ${(err as Error).message}`);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    keeper.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "stop failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  keeper.onError((err) => {
    if (keeper.fatal === err) {
      logger.fatal({ err }, "keeper stopped on a fatal error");
      void keeper.stop().finally(() => process.exit(1));
    }
  });
}

main().catch((err: unknown) => fail(`keeper crashed: ${(err as Error).stack ?? String(err)}`));
