// The LendingPool's incident response plan as code: who does what, per keeper rule, and what
// `npx hardhat --network localhost breakwater readiness --plan plan.ts` checks on chain.
// "$name" addresses come from the address book (deployments/<network>.json); the guardians and the
// sentinel are Hardhat's default accounts #1-#3, #7 and #4, as in deploy/breakwater.template.json.
import { definePlan } from "breakwater/plan";

const GUARDIANS = [
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
];
const SENTINEL = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

export default definePlan({
  name: "lending-pool",
  version: 1,
  severities: {
    P1: { meaning: "Funds are being lost or at imminent risk.", channels: ["ops", "ops-backup"], page: ["incidentLead", "guardians", "keeperOnCall"], ackWithin: "5m", containWithin: "15m" },
    P2: { meaning: "A likely attack stage or anomaly without confirmed loss.", channels: ["ops", "ops-backup"], page: ["incidentLead", "keeperOnCall"], ackWithin: "30m", containWithin: "2h" },
    P3: { meaning: "Degraded protection or an operational event (pool paused).", channels: ["ops"], page: ["keeperOnCall"], ackWithin: "4h", containWithin: "1d" },
    P4: { meaning: "Hygiene and follow-ups.", channels: ["ops"], page: [], ackWithin: "2d", containWithin: "1w" },
  },
  roles: {
    incidentLead: { description: "Owns the incident and keeps the clock.", people: [{ name: "Incident lead", handle: "@lead" }] },
    scribe: { description: "Keeps the timeline (times, tx hashes, decisions) for the post-mortem.", people: [{ name: "Scribe", handle: "@scribe" }] },
    comms: { description: "Talks to users and integrators from the templates.", people: [{ name: "Comms", handle: "@comms" }] },
    guardians: {
      description: "Sign guardian actions: pause (fast), unpause / limits / rescue (slow, timelocked).",
      people: GUARDIANS.map((_, i) => ({ name: `Guardian ${i + 1}`, handle: `@guardian${i + 1}` })),
      onChain: [
        { contract: "$guardian", role: "guardian", holders: GUARDIANS },
        { contract: "$pool", role: "DEFAULT_ADMIN_ROLE", holders: ["$guardian"] },
        { contract: "$pool", role: "EMERGENCY_ROLE", holders: ["$guardian"] },
        { contract: "$pool", role: "RECOVERY_ROLE", holders: ["$guardian"] },
      ],
    },
    keeperOnCall: {
      description: "Runs the keeper (its sentinel key pauses once per arming).",
      people: [{ name: "Keeper on call", handle: "@oncall" }],
      onChain: [{ contract: "$pool", role: "sentinel", holders: [SENTINEL] }],
    },
  },
  runbooks: [
    {
      id: "over-borrow",
      title: "A borrow far above any honest one: price-feed compromise or accounting bug",
      rules: ["huge-borrow"],
      severity: "P1",
      automated: "The keeper's sentinel pauses BORROW for 1 h.",
      firstSteps: [
        "Confirm the pause: `npx hardhat breakwater breaker status`.",
        "Check the feed's last PriceUpdated and who posted it; rotate the reporter key (PriceFeed.setReporter).",
        "Before the sentinel pause expires, guardians pause BORROW for longer through the fast path.",
      ],
      unpause: { decidedBy: "incidentLead", when: "the feed is trusted again and bad debt is accounted for" },
      tellUsers: { template: "status-notice" },
      tasks: [
        "npx hardhat breakwater breaker status",
        "npx hardhat breakwater guardian propose --kind Pause --args BORROW,7d --out pause.json",
        "npx hardhat breakwater guardian propose --kind Unpause --args BORROW --out unpause.json",
      ],
    },
    {
      id: "anomaly",
      title: "Price jump or unusual outflow",
      rules: ["price-jump", "usd-outflow-anomaly"],
      severity: "P2",
      automated: "Alert only.",
      firstSteps: ["Look at the transaction; if in doubt a guardian pauses BORROW (1 of N, fast path)."],
      unpause: { decidedBy: "incidentLead", when: "the flow is explained" },
      tellUsers: { template: "status-notice", note: "only if a pause was imposed" },
      tasks: ["npx hardhat breakwater breaker pause --scope BORROW --duration 2h --reason \"price jump\""],
    },
    {
      id: "pool-paused",
      title: "The pool was paused",
      rules: ["pool-paused"],
      severity: "P3",
      automated: "Alert only.",
      firstSteps: ["Find who paused and why; open an incident if it was not planned."],
      unpause: { decidedBy: "incidentLead", when: "the reason is resolved" },
      tellUsers: { template: "status-notice" },
      tasks: ["npx hardhat breakwater breaker status"],
    },
  ],
  templates: {
    "status-notice": {
      audience: "status-page",
      title: "[{{severity}}] {{protocol}}: {{title}}",
      body: "We are investigating an incident affecting {{protocol}} since block {{firstBlock}}. Status: {{status}}.",
    },
  },
  readiness: {
    maxPause: "14d",
    minPause: "1h",
    minSlowDelay: "1h",
    maxSlowDelay: "14d",
    maxKeeperLag: 5,
    maxDrillAge: "7d",
    keeperConfig: "keeper.config.ts",
    drillsDir: "reports/drills",
  },
});
