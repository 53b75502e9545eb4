// npx tsx keeper/migrate/cli.ts --out rules.json [--report report.md] [--format oz|defender] [--severity P2] [--contain <target>] monitor.json...
import { importMonitorFiles, type MonitorFormat } from "./index.js";
import type { Severity } from "../types.js";

function main(argv: string[]): number {
  const inputs: string[] = [];
  let out: string | undefined;
  let reportPath: string | undefined;
  let format: MonitorFormat | undefined;
  let severity: Severity | undefined;
  let contain: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--out") out = argv[++i];
    else if (a === "--report") reportPath = argv[++i];
    else if (a === "--format") format = argv[++i] as MonitorFormat;
    else if (a === "--severity") severity = argv[++i] as Severity;
    else if (a === "--contain") contain = argv[++i];
    else inputs.push(a);
  }
  if (!out || inputs.length === 0 || (format && !["oz", "defender"].includes(format)) || (severity && !/^P[1-4]$/.test(severity)) || (contain !== undefined && !/^[A-Za-z0-9_.:-]{1,64}$/.test(contain))) {
    console.error("usage: tsx keeper/migrate/cli.ts --out rules.json [--report report.md] [--format oz|defender] [--severity P1..P4] [--contain <responders.contain target name>] monitor.json...");
    return 2;
  }
  const { text } = importMonitorFiles(inputs, out, { reportPath, format, severity, contain });
  console.log(text);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
