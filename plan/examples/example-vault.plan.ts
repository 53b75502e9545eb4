// The incident response plan for the example ProtectedVault suite: what `npx hardhat breakwater deploy
// --params deployments/params/local.json --with-example-vault` deploys and what
// keeper/examples/example-vault.config.ts watches (same rule ids, same channel names).
//
//   npx hardhat --network localhost breakwater readiness --plan plan/examples/example-vault.plan.ts \
//     --keeper-config keeper/examples/example-vault.config.ts
//
// Addresses written "$name" come from the address book (deployments/<network>.json): $breaker and
// $vault (the ProtectedVault), $guardian (the GuardianMultisig), $asset (the vault's token).
// The guardian and sentinel addresses are Hardhat's default accounts #1–#3 and #17 (guardians) and #4 (sentinel), as in deployments/params/local.json.
import { definePlan } from "../schema.js";

const GUARDIANS = [
  "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  "0xbDA5747bFD65F08deb54cb465eB87D40e51B197E",
];
const SENTINEL = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";

export default definePlan({
  name: "example-vault",
  version: 1,

  // SEAL: when in doubt, choose the higher level. Channels are keeper alert channel names.
  severities: {
    P1: {
      meaning: "Funds are being lost or are at imminent risk (exploit in progress, key compromise). Contain first, then investigate.",
      channels: ["ops-webhook", "slack"],
      page: ["incidentLead", "guardians", "keeperOnCall", "scribe", "comms"],
      ackWithin: "5m",
      containWithin: "15m",
    },
    P2: {
      meaning: "A likely attack stage or anomaly without confirmed loss (large or unusual outflows, flash loan on the vault).",
      channels: ["ops-webhook", "slack"],
      page: ["incidentLead", "keeperOnCall"],
      ackWithin: "30m",
      containWithin: "2h",
    },
    P3: {
      meaning: "Degraded protection or an operational event (breaker paused, keeper lagging, a guardian heartbeat near expiry).",
      channels: ["ops-webhook"],
      page: ["keeperOnCall"],
      ackWithin: "4h",
      containWithin: "1d",
    },
    P4: {
      meaning: "Informational: hygiene and follow-ups (stale drill, documentation).",
      channels: ["ops-webhook"],
      page: [],
      ackWithin: "2d",
      containWithin: "1w",
    },
  },

  roles: {
    incidentLead: {
      description: "Owns the incident: declares severity, decides, keeps the clock.",
      people: [
        { name: "Ada Lovelace", handle: "@ada", note: "UTC" },
        { name: "Grace Hopper", handle: "@grace", note: "backup, UTC-5" },
      ],
    },
    scribe: {
      description: "Keeps the timeline (times, tx hashes, decisions) for the post-mortem.",
      people: [{ name: "Katherine Johnson", handle: "@katherine" }],
    },
    guardians: {
      description: "Sign guardian multisig actions: pause (1 of N, fast), unpause / limits / rescue (slow, timelocked).",
      people: [
        { name: "Guardian 1", handle: "@guardian1" },
        { name: "Guardian 2", handle: "@guardian2" },
        { name: "Guardian 3", handle: "@guardian3" },
        { name: "Guardian 4", handle: "@guardian4" },
      ],
      onChain: [
        { contract: "$guardian", role: "guardian", holders: GUARDIANS },
        { contract: "$breaker", role: "DEFAULT_ADMIN_ROLE", holders: ["$guardian"] },
        { contract: "$breaker", role: "EMERGENCY_ROLE", holders: ["$guardian"] },
        { contract: "$breaker", role: "RECOVERY_ROLE", holders: ["$guardian"] },
      ],
    },
    comms: {
      description: "Talks to users, the status page and downstream protocols, from the templates below.",
      people: [{ name: "Margaret Hamilton", handle: "@margaret" }],
    },
    keeperOnCall: {
      description: "Runs the keeper (its sentinel key pauses once per arming).",
      people: [{ name: "Linus", handle: "@linus-oncall" }],
      onChain: [{ contract: "$breaker", role: "sentinel", holders: [SENTINEL] }],
    },
  },

  runbooks: [
    {
      id: "vault-drain",
      title: "Share price drop: accounting bug or drain in progress",
      rules: ["share-price-drop"],
      severity: "P1",
      automated: "The keeper's sentinel pauses GLOBAL for 1 h (single use; simulated before sending, fee-bumped per block).",
      firstSteps: [
        "Confirm the pause landed: `npx hardhat breakwater breaker status`.",
        "Open the incident channel, name the incident lead and the scribe.",
        "Identify the attacker transactions and the affected asset; freeze it if it is draining elsewhere (guardian FreezeAsset).",
        "Before the sentinel pause expires, guardians pause for longer through the fast path.",
        "Post the status notice (template status-notice) within 15 minutes.",
      ],
      unpause: { decidedBy: "incidentLead", when: "root cause fixed or mitigated, share price reconciled, two guardians agree" },
      tellUsers: { template: "user-update", note: "deposits and withdrawals are paused; funds are safe in the vault" },
      tasks: [
        "npx hardhat breakwater breaker status",
        "npx hardhat breakwater guardian propose --kind Pause --args GLOBAL,7d --out pause.json",
        "npx hardhat breakwater guardian propose --kind FreezeAsset --args <asset> --out freeze.json",
        "npx hardhat breakwater guardian propose --kind Unpause --args GLOBAL --out unpause.json",
      ],
    },
    {
      id: "assets-not-covered",
      title: "The vault holds less than it says it manages",
      rules: ["assets-covered"],
      severity: "P1",
      automated: "The keeper's sentinel pauses WITHDRAW for 1 h.",
      firstSteps: [
        "Confirm the pause: `npx hardhat breakwater breaker status`.",
        "Compare totalAssets() with the token balance; find the transaction that broke it.",
        "Veto queued outflows of the asset that are not explained (guardian VetoOutflow).",
        "Post the status notice (template status-notice).",
      ],
      unpause: { decidedBy: "guardians", when: "the shortfall is explained and covered (rescue / compensation plan agreed)" },
      tellUsers: { template: "user-update" },
      tasks: [
        "npx hardhat breakwater breaker status",
        "npx hardhat breakwater guardian propose --kind VetoOutflow --args <id> --out veto.json",
        "npx hardhat breakwater guardian propose --kind Unpause --args WITHDRAW --out unpause.json",
      ],
    },
    {
      id: "suspicious-outflow",
      title: "Large or anomalous outflow, attack-stage signal",
      rules: ["large-withdrawal", "outflow-anomaly", "flash-loan-on-vault", "fresh-deployer-touches-vault"],
      severity: "P2",
      automated: "Alert only (the rules do not act on their own).",
      firstSteps: [
        "Look at the transaction: known whale, rebalancing, or an attacker?",
        "If in doubt, choose the higher level: a guardian pauses (1 of N, fast path).",
        "Lower the asset's limit if outflows keep coming (guardian SetLimit tighter is fast).",
      ],
      unpause: { decidedBy: "incidentLead", when: "the flow is explained" },
      tellUsers: { template: "status-notice", note: "only if a pause was imposed" },
      tasks: [
        "npx hardhat breakwater breaker pause --scope WITHDRAW --duration 2h --reason \"suspicious outflow\"",
        "npx hardhat breakwater guardian propose --kind SetLimit --args <asset>,500e18,1h --out limit.json",
      ],
    },
    {
      id: "breaker-paused",
      title: "The breaker was paused",
      rules: ["vault-paused"],
      severity: "P3",
      automated: "Alert only.",
      firstSteps: ["Find who paused and why (guardian, sentinel); make sure an incident is open if it was not planned."],
      unpause: { decidedBy: "incidentLead", when: "the reason for the pause is resolved" },
      tellUsers: { template: "status-notice" },
      tasks: ["npx hardhat breakwater breaker status"],
    },
    {
      id: "key-compromise",
      title: "A guardian or admin key is compromised",
      incidentTypes: ["key-compromise"],
      severity: "P1",
      automated: "None: the guardians veto queued actions they did not sign.",
      firstSteps: [
        "List queued guardian actions and veto every one not agreed (veto quorum).",
        "Pause (fast path) if a malicious action could execute before the veto.",
        "Replace the compromised guardian (ChangeGuardians, slow path).",
      ],
      unpause: { decidedBy: "guardians", when: "the key is replaced and no malicious action remains queued" },
      tellUsers: { template: "downstream-notice" },
      tasks: [
        "npx hardhat breakwater guardian propose --kind Veto --args <id> --out veto.json",
        "npx hardhat breakwater guardian veto --id <id> --file veto.json",
      ],
    },
  ],

  templates: {
    "status-notice": {
      audience: "status-page",
      title: "[{{severity}}] {{protocol}}: {{title}}",
      body:
        "We are investigating an incident affecting {{protocol}} on {{network}} since {{startedAt}} (block {{firstBlock}}).\n" +
        "Status: {{status}}. Actions taken: {{actions}}.\nNext update by {{nextUpdateAt}}.",
    },
    "user-update": {
      audience: "users",
      title: "{{protocol}} incident update: {{status}}",
      body:
        "What happened: {{summary}}\nWhat we did: {{actions}} (contained at block {{containedBlock}}).\n" +
        "Funds: {{fundsLost}} lost of {{fundsAtRisk}} at risk; {{savedPct}} saved.\nWhat you should do: {{userAction}}",
    },
    "downstream-notice": {
      audience: "downstream",
      title: "Notice to integrators: {{protocol}} {{status}}",
      body:
        "{{protocol}} ({{contracts}}) is {{status}} since block {{firstBlock}}. Affected scopes: {{scopes}}.\n" +
        "Please pause integrations that price or route through it until we confirm recovery. Contact: {{contact}}.",
    },
  },

  readiness: {
    maxPause: "14d",
    minPause: "1h",
    minSlowDelay: "1h",
    maxSlowDelay: "14d",
    heartbeatWarnShare: 0.8,
    maxKeeperLag: 5,
    maxDrillAge: "7d",
    keeperUrl: "http://127.0.0.1:9464",
    keeperConfig: "keeper/examples/example-vault.config.ts",
    drillsDir: "reports/drills",
  },
});
