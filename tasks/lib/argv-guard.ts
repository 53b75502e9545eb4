// Hardhat 3's CLI parser stops on a value that starts with "-" followed by different characters
// (`--duration -1h`, `--duration=-1h`, `--from-block -10`): it reads it as grouped short options
// and fails with HHE509 "Options cannot be grouped together" (and any negative number of an integer
// option with HHE500 "Invalid value") before any task code runs, so the
// task's own check ("a duration must be positive", with the bounds) never sees it. The plugin's
// module is imported (with the user's config) before that parse: this guard looks at the command
// line first and, when a Breakwater task option would hit that error, refuses with the task's
// sentence instead (exit 1, nothing read, sent or written; `--json` gets the JSON error object).
import { ArgumentType } from "hardhat/types/arguments";
import type { TaskDefinition } from "hardhat/types/tasks";
import { OperatorError } from "./errors.js";
import { toJson } from "./output.js";

/** Hardhat's own test for grouped short options (parser.js), which a negative value trips. */
const tripsHardhat = (v: string) => v.startsWith("-") && !v.startsWith("--") && v.length > 2 && [...v.slice(1)].some((c) => c !== v[1]);

const camel = (kebab: string) => kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Builtin global options of Hardhat that take a value (the word after them is not a task word). */
const GLOBAL_WITH_VALUE = new Set(["--config", "--network", "--build-profile"]);

type OptionLike = { name: string; type: ArgumentType; description: string };
type TaskLike = { id: string[]; options?: Record<string, OptionLike> };

/**
 * The OperatorError for the first option of a Breakwater task whose value Hardhat's parser would
 * refuse as grouped short options, or undefined. `args`: the command line after the script.
 */
export function negativeOptionError(args: string[], tasks: readonly TaskDefinition[]): OperatorError | undefined {
  const words = args.flatMap((a) => (a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a]));
  // The task words: the first non-option word and the ones right after it.
  let i = 0;
  while (i < words.length && words[i]!.startsWith("-")) i += GLOBAL_WITH_VALUE.has(words[i]!) ? 2 : 1;
  if (words[i] !== "breakwater") return undefined;
  const defs = tasks.filter((t) => "options" in t) as unknown as TaskLike[];
  let task: TaskLike | undefined;
  let end = i + 1;
  for (let n = 1; i + n < words.length && !words[i + n]!.startsWith("-"); n++) {
    const id = words.slice(i, i + n + 1).join(" ");
    const found = defs.find((t) => t.id.join(" ") === id);
    if (found) {
      task = found;
      end = i + n + 1;
    }
  }
  if (!task?.options) return undefined;
  for (let j = end; j < words.length - 1; j++) {
    const w = words[j]!;
    if (w === "--") break;
    if (!w.startsWith("--")) continue;
    const opt = task.options[camel(w.slice(2))];
    if (!opt || opt.type === ArgumentType.FLAG) continue;
    const value = words[j + 1]!;
    const numeric = opt.type === ArgumentType.INT || opt.type === ArgumentType.BIGINT || opt.type === ArgumentType.FLOAT;
    // Hardhat's INT / BIGINT parsing refuses every negative number too (HHE500, naming the camelCase argument).
    if (tripsHardhat(value) || (numeric && /^-\d/.test(value))) {
      const option = `--${kebab(opt.name)}`;
      const what = /duration|deadline|window|period|age|delay/i.test(opt.name) ? "a duration must be positive" : numeric ? "it must be zero or more" : "a value may not start with \"-\"";
      return new OperatorError(`${option} "${value}" is negative: ${what}`, `${option}: ${opt.description}`, opt.name);
    }
    j++;
  }
  return undefined;
}

/** Run by the plugin's module on `npx hardhat …`: refuse what Hardhat's parser would turn into HHE509. */
export function guardCommandLine(tasks: readonly TaskDefinition[], argv = process.argv): void {
  if (!/[\\/]hardhat[\\/]dist[\\/]src[\\/]cli\.js$|[\\/]\.bin[\\/]hardhat$/.test(argv[1] ?? "")) return;
  const args = argv.slice(2);
  const error = negativeOptionError(args, tasks);
  if (!error) return;
  if (args.includes("--json")) process.stdout.write(toJson(error.toJSON()) + "\n");
  process.stderr.write(`✗ ${error.message}\n`);
  process.exit(1);
}
