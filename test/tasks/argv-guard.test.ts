// Negative option values that Hardhat 3's CLI parser would stop with HHE509 ("Options cannot be
// grouped together") or HHE500 before any task runs: the plugin's command-line guard refuses them
// with the task's sentence. Table-driven over the real task definitions; the CLI itself is driven
// in bad-inputs.cli.test.ts.
import { expect } from "chai";
import { breakwaterTasks } from "../../tasks/index.js";
import { negativeOptionError } from "../../tasks/lib/argv-guard.js";

const cases: { argv: string; first?: string; field?: string }[] = [
  { argv: "breakwater breaker pause --scope GLOBAL --duration -1h", first: '--duration "-1h" is negative: a duration must be positive', field: "duration" },
  { argv: "breakwater breaker pause --duration=-1h --scope GLOBAL", first: '--duration "-1h" is negative: a duration must be positive', field: "duration" },
  { argv: "--network localhost breakwater breaker pause --duration -30m", first: '--duration "-30m"', field: "duration" },
  { argv: "--config x.ts --show-stack-traces breakwater breaker pause --duration -90s", first: '--duration "-90s"', field: "duration" },
  { argv: "breakwater guardian propose --kind Pause --args GLOBAL,1h --deadline -2h", first: '--deadline "-2h" is negative: a duration must be positive', field: "deadline" },
  { argv: "breakwater incident analyze --from-block -10", first: '--from-block "-10" is negative: it must be zero or more', field: "fromBlock" },
  { argv: "breakwater incident analyze --from-block=-1", first: '--from-block "-1" is negative', field: "fromBlock" },
  { argv: "breakwater keeper backtest --to-block -5", first: '--to-block "-5"', field: "toBlock" },
  // Values Hardhat parses itself (and the task then checks), flags, other tasks and other plugins: no guard.
  { argv: "breakwater breaker pause --scope GLOBAL --duration -1" },
  { argv: "breakwater breaker pause --scope GLOBAL --duration 1h" },
  { argv: "breakwater guardian propose --kind Pause --args GLOBAL,-1h" },
  { argv: "breakwater breaker pause --dry-run -1h" },
  { argv: "test --duration -1h" },
  { argv: "breakwater nosuchtask --duration -1h" },
  { argv: "breakwater breaker pause -- --duration -1h" },
];

describe("tasks: negative option values before Hardhat's parser", function () {
  for (const c of cases) {
    it(`${c.argv} → ${c.first ?? "left to Hardhat and the task"}`, function () {
      const e = negativeOptionError(c.argv.split(" "), breakwaterTasks);
      if (!c.first) return expect(e).to.equal(undefined);
      expect(e, "refused").to.not.equal(undefined);
      expect(e!.reason).to.include(c.first);
      expect(e!.field).to.equal(c.field);
      expect(e!.hint, "the option's own help (bounds, units)").to.match(new RegExp(`^--${c.field!.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`)}: `));
    });
  }
});
