// `npm run keeper -- --config <file>`: load and validate the config, check secrets and every RPC
// (reachable, right chain id), then run the keeper until SIGINT / SIGTERM. Any problem found
// before the start is printed for people on stderr and exits non-zero; nothing is sent.
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "./config/load.js";
import type { KeeperConfig } from "./config/schema.js";
import { createLogger, registerSecret, scrubText } from "./ops/log.js";
import { RpcPool, RpcUnavailableError, redactUrl } from "./source/rpc.js";
import { createSigner } from "./signers/index.js";
import { JsonRpcProvider } from "ethers";
import { Keeper } from "./runtime.js";

const USAGE = `usage: npm run keeper -- --config <file.ts|file.json>

  --config <file>   keeper configuration (see keeper/examples/example-vault.config.ts)
  --check           validate the config, secrets and RPCs, then exit (nothing is sent)
  --help            this text
       npm run keeper -- backtest --help   (the rules over past blocks; nothing is sent)`;

function fail(message: string, code = 1): never {
  process.stderr.write(`${scrubText(message)}\n`);
  process.exit(code);
}

/** Every RPC must answer eth_chainId with the configured chain id. */
async function checkRpcs(config: KeeperConfig): Promise<void> {
  const pool = new RpcPool({ urls: config.chain.rpcUrls, timeoutMs: 5_000 });
  const problems: string[] = [];
  for (const [i, url] of config.chain.rpcUrls.entries()) {
    try {
      const id = Number(BigInt(await pool.requestAt<string>(url, "eth_chainId")));
      if (id !== config.chain.chainId) {
        problems.push(`chain.rpcUrls[${i}] (${redactUrl(url)}) is chain ${id}, but chain.chainId is ${config.chain.chainId}`);
      }
    } catch (err) {
      const why = err instanceof RpcUnavailableError ? err.message : `${redactUrl(url)}: ${(err as Error).message}`;
      problems.push(`chain.rpcUrls[${i}] is unreachable: ${why}; check the URL and that the node is running`);
    }
  }
  if (problems.length) throw new Error(`RPC check failed:\n  ${problems.join("\n  ")}`);
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
      options: { config: { type: "string", short: "c" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: false,
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

  let config: KeeperConfig;
  try {
    const loaded = await loadConfig(file);
    config = loaded.config;
    for (const s of loaded.secrets) registerSecret(s);
    await checkSigners(config);
    await checkRpcs(config);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    fail(`keeper not started: ${(err as Error).message}`);
  }
  if (args.values.check) {
    process.stdout.write(`config ${file} is valid; RPCs answer chain ${config.chain.chainId}\n`);
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
