// The cross-field and tier rules, on both sides of every branch: each rule has a row that breaks
// it and a row that stays on the allowed side of the same boundary, and each row runs in every
// tier x target where the rule applies (and where it must not fire). The starting points are the
// stack files themselves, so a rule added to the checks only needs its row here.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import fc from "fast-check";
import * as YAML from "yaml";
import { KSQL_APPS } from "../catalog";
import { allowReplayProblems, crossFieldProblems, snowflakeRegionOf } from "./checks";
import { parsePlatformConfig } from "./loader";
import {
    ALLOW_REPLAY_ENV,
    CLUSTER_TYPES,
    COMPATIBILITY_LEVELS,
    CompatibilityLevel,
    MYSQL_NETWORKS,
    OBJECT_LOCK_MODES,
    PROD_COMPATIBILITY_LEVELS,
    PlatformConfig,
    SSL_MODES,
    TARGETS,
    AWS_API_ACCESS_MODES,
    INTERNET_EGRESS_MODES,
    TIERS,
    Target,
    Tier,
} from "./schema";

const ROOT = path.resolve(__dirname, "..", "..");

/** A stack file's config as the engine hands it over (secure values as stand-in secrets). */
function stackFile(stack: string): { values: Record<string, string>; secretKeys: Set<string> } {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) ?? {};
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [k, v] of Object.entries<any>(doc.config ?? {})) {
        if (v && typeof v === "object" && "secure" in v) secretKeys.add(k);
        values[k] = v && typeof v === "object" && "secure" in v ? `secret-${k}` : typeof v === "string" ? v : JSON.stringify(v);
    }
    return { values, secretKeys };
}

/** A valid resolved config for every tier x target: the cloud stack file of the tier, or the local one (prod-local: the prod file aimed at local). */
function base(tier: Tier, target: Target): PlatformConfig {
    const file = target === "cloud" ? tier : tier === "dev" ? "local" : "prod";
    const { values, secretKeys } = stackFile(file);
    values["lifesci-streaming:target"] = target;
    values["lifesci-streaming:tier"] = tier;
    const cfg = parsePlatformConfig({ project: "lifesci-streaming", stack: `${tier}-${target}`, values, secretKeys, env: {} });
    assert.deepEqual(crossFieldProblems(cfg), [], `${tier}/${target} starting point is valid`);
    return structuredClone(cfg);
}

const COMBOS: [Tier, Target][] = TIERS.flatMap((tier) => TARGETS.map((target): [Tier, Target] => [tier, target]));
const BASES = Object.fromEntries(COMBOS.map(([tier, target]) => [`${tier}/${target}`, base(tier, target)]));
const fresh = (tier: Tier, target: Target): PlatformConfig => structuredClone(BASES[`${tier}/${target}`]);

/** The problems of a config changed by `change`, each reduced to the key it names. */
function problemsAfter(tier: Tier, target: Target, change: (c: PlatformConfig) => void): string[] {
    const cfg = fresh(tier, target);
    change(cfg);
    return crossFieldProblems(cfg);
}
const keyOf = (problem: string) => problem.slice(0, problem.indexOf(": "));

type Where = (tier: Tier, target: Target) => boolean;
const always: Where = () => true;
const prodOnly: Where = (tier) => tier === "prod";
const cloudOnly: Where = (_, target) => target === "cloud";
const prodCloud: Where = (tier, target) => tier === "prod" && target === "cloud";

/**
 * One row per rule branch: `bad` breaks it where `where` holds (and must pass elsewhere), `good`
 * is the nearest allowed value on the same boundary and passes everywhere.
 */
interface Row {
    rule: string;
    key: string;
    where: Where;
    bad: (c: PlatformConfig) => void;
    good: (c: PlatformConfig) => void;
    message: RegExp;
}

const ROWS: Row[] = [
    // A public database sits in subnets routed to an internet gateway: the tasks need their own.
    {
        rule: "workload subnets of their own while the database is public",
        key: "network.workloadSubnetIds",
        where: (tier, target) => target === "cloud" && tier === "dev",
        bad: (c) => void (c.network.workloadSubnetIds = undefined),
        good: (c) => void (c.network.workloadSubnetIds = ["subnet-0d1"]),
        message: /^lifesci-streaming:network\.workloadSubnetIds: required while mysql\.network is public: the database's subnets \(the account's default VPC\) route to an internet gateway/,
    },
    // Issue 22, item 11: prod never lands in the default VPC.
    {
        rule: "prod needs its VPC",
        key: "mysql.vpcId",
        where: prodCloud,
        bad: (c) => void ((c.mysql.vpcId = undefined), (c.mysql.subnetIds = undefined)),
        good: (c) => void ((c.mysql.vpcId = "vpc-0abc"), (c.mysql.subnetIds = ["subnet-0a", "subnet-0b"])),
        message: /^lifesci-streaming:mysql\.vpcId: required for tier prod/,
    },
    {
        rule: "prod needs its private subnets",
        key: "mysql.subnetIds",
        where: prodCloud,
        bad: (c) => void ((c.mysql.vpcId = undefined), (c.mysql.subnetIds = undefined)),
        good: (c) => void ((c.mysql.vpcId = "vpc-0abc"), (c.mysql.subnetIds = ["subnet-0a", "subnet-0b"])),
        message: /^lifesci-streaming:mysql\.subnetIds: required for tier prod/,
    },
    // Issue 22, item 9: the archive key's break-glass role.
    {
        rule: "archive key break-glass role",
        key: "lake.breakGlassRoleArn",
        where: cloudOnly,
        bad: (c) => void (c.lake.breakGlassRoleArn = undefined),
        good: (c) => void (c.lake.breakGlassRoleArn = "arn:aws:iam::123456789012:role/break-glass"),
        message: /^lifesci-streaming:lake\.breakGlassRoleArn: required/,
    },
    {
        rule: "glacier after infrequent access (equal is too early)",
        key: "lake.rawGlacierDays",
        where: always,
        bad: (c) => void (c.lake.rawGlacierDays = c.lake.rawInfrequentAccessDays),
        good: (c) => void (c.lake.rawGlacierDays = c.lake.rawInfrequentAccessDays + 1),
        message: /must be later than rawInfrequentAccessDays \(30\), got 30/,
    },
    {
        rule: "expiry after glacier (equal is too early)",
        key: "lake.rawExpirationDays",
        where: always,
        bad: (c) => void (c.lake.rawExpirationDays = c.lake.rawGlacierDays),
        good: (c) => void (c.lake.rawExpirationDays = c.lake.rawGlacierDays + 1),
        message: /must be later than rawGlacierDays \(\d+\), got \d+/,
    },
    {
        rule: "audit lock in one unit only",
        key: "lake.auditLockDays",
        where: always,
        bad: (c) => void ((c.lake.auditLockDays = 7), (c.lake.auditLockYears = 10)),
        good: (c) => void (c.tier === "prod" ? ((c.lake.auditLockDays = undefined), (c.lake.auditLockYears = 10)) : ((c.lake.auditLockDays = 7), (c.lake.auditLockYears = undefined))),
        message: /set auditLockDays or auditLockYears, not both/,
    },
    {
        rule: "COMPLIANCE lock of 0 years",
        key: "lake.auditLockYears",
        where: always,
        bad: (c) => void ((c.lake.auditLockMode = "COMPLIANCE"), (c.lake.auditLockDays = undefined), (c.lake.auditLockYears = 0)),
        good: (c) => void ((c.lake.auditLockMode = "COMPLIANCE"), (c.lake.auditLockDays = undefined), (c.lake.auditLockYears = 1)),
        message: /COMPLIANCE mode needs a retention of at least 1 \(got 0\)/,
    },
    {
        rule: "GOVERNANCE lock of 0 days",
        key: "lake.auditLockDays",
        where: always,
        bad: (c) => void ((c.lake.auditLockMode = "GOVERNANCE"), (c.lake.auditLockYears = undefined), (c.lake.auditLockDays = 0)),
        good: (c) => void (c.tier === "dev" && ((c.lake.auditLockMode = "GOVERNANCE"), (c.lake.auditLockYears = undefined), (c.lake.auditLockDays = 1))),
        message: /^lifesci-streaming:lake\.auditLockDays: the audit archive needs a retention of at least 1 \(got 0\)$/,
    },
    {
        rule: "prod locks the audit archive in COMPLIANCE mode",
        key: "lake.auditLockMode",
        where: prodOnly,
        bad: (c) => void (c.lake.auditLockMode = "GOVERNANCE"),
        good: (c) => void (c.tier === "prod" && (c.lake.auditLockMode = "COMPLIANCE")),
        message: /must be COMPLIANCE for tier prod/,
    },
    {
        rule: "prod locks for years, not days",
        key: "lake.auditLockYears",
        where: prodOnly,
        bad: (c) => void ((c.lake.auditLockYears = undefined), (c.lake.auditLockDays = 3650)),
        good: (c) => void (c.tier === "prod" && ((c.lake.auditLockYears = 1), (c.lake.auditLockDays = undefined))),
        message: /tier prod keeps the audit archive for years; set auditLockYears/,
    },
    {
        rule: "Snowflake account in the Kafka cluster's region (cloud)",
        key: "warehouse.region",
        where: cloudOnly,
        bad: (c) => void ((c.region = "eu-central-1"), (c.warehouse.region = "AWS_EU_WEST_1")),
        good: (c) => void ((c.region = "eu-west-1"), (c.warehouse.region = "AWS_EU_WEST_1")),
        message: /\(AWS_EU_WEST_1\) must be in the Kafka cluster's region eu-central-1 \(AWS_EU_CENTRAL_1\)/,
    },
    {
        rule: "prod keeps a week of backups (6 is too few)",
        key: "mysql.backupRetentionDays",
        where: prodOnly,
        bad: (c) => void (c.mysql.backupRetentionDays = 6),
        good: (c) => void (c.mysql.backupRetentionDays = 7),
        message: /must be at least 7 for tier prod \(got 6\)/,
    },
    {
        rule: "prod runs multi-AZ",
        key: "mysql.multiAz",
        where: prodOnly,
        bad: (c) => void (c.mysql.multiAz = false),
        good: (c) => void (c.tier === "prod" && (c.mysql.multiAz = true)),
        message: /must be true for tier prod/,
    },
    {
        rule: "no sample rows in prod",
        key: "mysql.seedData",
        where: prodOnly,
        bad: (c) => void (c.mysql.seedData = true),
        good: (c) => void (c.mysql.seedData = false),
        message: /sample rows must not be loaded into production sources/,
    },
    {
        rule: "prod ksqlDB has a standby (2 CSUs is too few)",
        key: "ksqldb.csu",
        where: prodOnly,
        bad: (c) => void (c.ksqldb.csu = 2),
        good: (c) => void (c.ksqldb.csu = 4),
        message: /must be at least 4 for tier prod; smaller ksqlDB clusters run without a standby \(got 2\)/,
    },
    {
        rule: "no detailed processing log in prod",
        key: "ksqldb.useDetailedProcessingLog",
        where: prodOnly,
        bad: (c) => void (c.ksqldb.useDetailedProcessingLog = true),
        good: (c) => void (c.ksqldb.useDetailedProcessingLog = false),
        message: /must be false for tier prod; the processing log would copy GMP row data/,
    },
    {
        rule: "prod keeps the database private (cloud)",
        key: "mysql.network",
        where: (tier, target) => tier === "prod" && target === "cloud",
        bad: (c) => void (c.mysql.network = "public"),
        good: (c) => void (c.tier === "prod" && (c.mysql.network = "privatelink")),
        message: /must be privatelink for tier prod/,
    },
    {
        rule: "prod connectors check the RDS host name",
        key: "cdc.sslMode",
        where: prodOnly,
        bad: (c) => void (c.cdc.sslMode = "verify_ca"),
        good: (c) => void (c.cdc.sslMode = "verify_identity"),
        message: /must be verify_identity for tier prod \(got verify_ca\)/,
    },
    {
        rule: "privatelink needs a dedicated cluster (cloud)",
        key: "mysql.network",
        where: cloudOnly,
        bad: (c) => void ((c.mysql.network = "privatelink"), (c.mysql.deployerSecurityGroupIds = ["sg-0abc1234"]), (c.confluent.clusterType = "standard"), (c.confluent.cku = undefined)),
        good: (c) => void ((c.mysql.network = "privatelink"), (c.mysql.deployerSecurityGroupIds = ["sg-0abc1234"]), (c.confluent.clusterType = "dedicated"), (c.confluent.cku = 2)),
        message: /privatelink needs confluent.clusterType dedicated .*got standard/,
    },
    {
        rule: "privatelink names the in-VPC deploy runner (cloud)",
        key: "mysql.deployerSecurityGroupIds",
        where: cloudOnly,
        bad: (c) => void ((c.mysql.network = "privatelink"), (c.mysql.deployerSecurityGroupIds = []), (c.confluent.clusterType = "dedicated"), (c.confluent.cku = 2)),
        good: (c) => void ((c.mysql.network = "privatelink"), (c.mysql.deployerSecurityGroupIds = ["sg-0abc1234"]), (c.confluent.clusterType = "dedicated"), (c.confluent.cku = 2)),
        message: /list the security group of the in-VPC runner/,
    },
    {
        rule: "operator CIDRs no broader than the limit (/15 under /16)",
        key: "mysql.operatorCidrs",
        where: always,
        bad: (c) => void ((c.mysql.maxCidrPrefix = 16), (c.mysql.operatorCidrs = ["10.20.0.0/16", "10.0.0.0/15"])),
        good: (c) => void ((c.mysql.maxCidrPrefix = 16), (c.mysql.operatorCidrs = ["10.20.0.0/16", "10.0.0.0/16"])),
        message: /^lifesci-streaming:mysql\.operatorCidrs: 10\.0\.0\.0\/15 is broader than \/16 \(131,072 addresses\); list the operator networks instead$/,
    },
    {
        rule: "storage autoscaling ceiling not below the allocation (equal is fine)",
        key: "mysql.maxAllocatedStorageGb",
        where: always,
        bad: (c) => void (c.mysql.maxAllocatedStorageGb = c.mysql.allocatedStorageGb - 1),
        good: (c) => void (c.mysql.maxAllocatedStorageGb = c.mysql.allocatedStorageGb),
        message: /must be at least allocatedStorageGb \(\d+\), got \d+/,
    },
    {
        rule: "vpcId without subnetIds",
        key: "mysql.vpcId",
        where: always,
        bad: (c) => void ((c.mysql.vpcId = "vpc-0abc"), (c.mysql.subnetIds = undefined)),
        good: (c) => void ((c.mysql.vpcId = "vpc-0abc"), (c.mysql.subnetIds = ["subnet-0a", "subnet-0b"])),
        message: /set vpcId and subnetIds together/,
    },
    {
        rule: "subnetIds without vpcId",
        key: "mysql.vpcId",
        where: always,
        bad: (c) => void ((c.mysql.vpcId = undefined), (c.mysql.subnetIds = ["subnet-0a", "subnet-0b"])),
        good: (c) => void ((c.mysql.vpcId = "vpc-0abc"), (c.mysql.subnetIds = ["subnet-0a", "subnet-0b"])),
        message: /set vpcId and subnetIds together/,
    },
    {
        rule: "cku only on dedicated clusters",
        key: "confluent.cku",
        where: always,
        bad: (c) => void ((c.mysql.network = "public"), (c.confluent.clusterType = "standard"), (c.confluent.availability = "MULTI_ZONE"), (c.confluent.cku = 2)),
        good: (c) => void ((c.confluent.clusterType = c.tier === "prod" && c.target === "cloud" ? "dedicated" : "standard"), (c.confluent.availability = "MULTI_ZONE"), (c.confluent.cku = c.confluent.clusterType === "dedicated" ? 2 : undefined)),
        message: /only applies to clusterType dedicated \(got standard\)/,
    },
    {
        rule: "MULTI_ZONE dedicated cluster with 1 CKU",
        key: "confluent.cku",
        where: always,
        bad: (c) => void ((c.confluent.clusterType = "dedicated"), (c.confluent.availability = "MULTI_ZONE"), (c.confluent.cku = 1)),
        good: (c) => void ((c.confluent.clusterType = "dedicated"), (c.confluent.availability = "MULTI_ZONE"), (c.confluent.cku = 2)),
        message: /a MULTI_ZONE dedicated cluster needs at least 2 CKUs/,
    },
    {
        rule: "MULTI_ZONE dedicated cluster without a CKU count",
        key: "confluent.cku",
        where: always,
        bad: (c) => void ((c.confluent.clusterType = "dedicated"), (c.confluent.availability = "MULTI_ZONE"), (c.confluent.cku = undefined)),
        good: (c) => void ((c.confluent.clusterType = "dedicated"), (c.confluent.availability = "SINGLE_ZONE"), (c.confluent.cku = 1)),
        message: /a MULTI_ZONE dedicated cluster needs at least 2 CKUs/,
    },
    {
        rule: "basic clusters are single-zone",
        key: "confluent.availability",
        where: always,
        bad: (c) => void ((c.mysql.network = "public"), (c.confluent.clusterType = "basic"), (c.confluent.cku = undefined), (c.confluent.availability = "MULTI_ZONE")),
        good: (c) => void (c.tier === "dev" && ((c.mysql.network = "public"), (c.confluent.clusterType = "basic"), (c.confluent.cku = undefined), (c.confluent.availability = "SINGLE_ZONE"))),
        message: /basic clusters are SINGLE_ZONE only/,
    },
    {
        rule: "Fargate memory offered with the task's CPU (512 units: 1024..4096 MiB; 1536 is not a step)",
        key: "streams.memoryMiB",
        where: always,
        bad: (c) => void ((c.streams.cpu = 512), (c.streams.memoryMiB = 1536)),
        good: (c) => void ((c.streams.cpu = 512), (c.streams.memoryMiB = 4096)),
        message: /^lifesci-streaming:streams\.memoryMiB: Fargate runs 512 CPU units with 1024-4096 MiB \(1024, 2048, 3072, 4096\), got 1536$/,
    },
    {
        rule: "Fargate memory above the CPU's range (256 units: 2048 is the most)",
        key: "streams.memoryMiB",
        where: always,
        bad: (c) => void ((c.streams.cpu = 256), (c.streams.memoryMiB = 3072)),
        good: (c) => void ((c.streams.cpu = 256), (c.streams.memoryMiB = 512)),
        message: /Fargate runs 256 CPU units with 512-2048 MiB \(512, 1024, 2048\), got 3072/,
    },
    {
        rule: "prod runs two Kafka Streams tasks (1 is too few)",
        key: "streams.desiredCount",
        where: prodOnly,
        bad: (c) => void (c.streams.desiredCount = 1),
        good: (c) => void (c.streams.desiredCount = 2),
        message: /tier prod runs at least 2 tasks so a restart does not stop batch release decisions, got 1/,
    },
    {
        rule: "audit topics retain at least as long as CDC topics (one hour more is too long)",
        key: "topics.auditRetentionDays",
        where: always,
        bad: (c) => void ((c.topics.auditRetentionDays = 7), (c.topics.retentionHours = 7 * 24 + 1)),
        good: (c) => void ((c.topics.auditRetentionDays = 7), (c.topics.retentionHours = 7 * 24)),
        message: /audit topics must retain at least as long as CDC topics \(retentionHours 169\)/,
    },
];

describe("config/checks: every rule on both sides, in every tier and target", () => {
    it("the starting points: each tier x target is valid as the stack files set it", () => {
        assert.deepEqual(Object.keys(BASES).sort(), ["dev/cloud", "dev/local", "prod/cloud", "prod/local"]);
    });

    for (const row of ROWS) {
        it(`${row.key}: ${row.rule}`, () => {
            for (const [tier, target] of COMBOS) {
                const bad = problemsAfter(tier, target, row.bad);
                const named = bad.filter((p) => keyOf(p) === `lifesci-streaming:${row.key}`);
                if (row.where(tier, target)) {
                    assert.equal(named.length, 1, `${tier}/${target}: exactly one problem for ${row.key}, got ${JSON.stringify(bad)}`);
                    assert.match(named[0], row.message, `${tier}/${target}`);
                } else {
                    assert.deepEqual(named, [], `${tier}/${target}: ${row.key} does not apply here`);
                }
                assert.deepEqual(problemsAfter(tier, target, row.good), [], `${tier}/${target}: the allowed side of the boundary passes`);
            }
        });
    }

    it("a prod stack with several rules broken gets one line per rule (nothing stops at the first)", () => {
        const all = ROWS.filter((r) => r.where("prod", "cloud") && r.key.startsWith("mysql.") && !r.key.includes("vpcId") && !r.key.includes("subnetIds") && !r.key.includes("network") && !r.key.includes("deployer"));
        const problems = problemsAfter("prod", "cloud", (c) => all.forEach((r) => r.bad(c)));
        assert.deepEqual(problems.map(keyOf).sort(), all.map((r) => `lifesci-streaming:${r.key}`).sort());
    });
});

describe("config/checks: enums, every value in every tier and target", () => {
    const expectOnly = (problems: string[], key: string, expected: boolean, what: string) => {
        const named = problems.filter((p) => keyOf(p) === `lifesci-streaming:${key}`);
        assert.equal(named.length, expected ? 1 : 0, `${what}: ${key} ${expected ? "refused" : "allowed"}; problems ${JSON.stringify(problems)}`);
    };

    it("schemaRegistry levels: prod accepts only the transitive, all-readers levels, for CDC, ksqlDB and each override; dev accepts all", () => {
        for (const [tier, target] of COMBOS) {
            for (const level of COMPATIBILITY_LEVELS) {
                const refused = tier === "prod" && !(PROD_COMPATIBILITY_LEVELS as readonly string[]).includes(level);
                for (const field of ["cdcCompatibility", "ksqlCompatibility"] as const) {
                    const problems = problemsAfter(tier, target, (c) => void (c.schemaRegistry[field] = level));
                    expectOnly(problems, `schemaRegistry.${field}`, refused, `${tier}/${target} ${field}=${level}`);
                    assert.equal(problems.length, refused ? 1 : 0);
                    if (refused) assert.match(problems[0], new RegExp(`must be BACKWARD_TRANSITIVE or FULL_TRANSITIVE for tier prod \\(got ${level}\\)`));
                }
                // One override of several: only the one outside the prod levels is named.
                const problems = problemsAfter(tier, target, (c) => void (c.schemaRegistry.overrides = { "a-value": "FULL_TRANSITIVE", "b-value": level as CompatibilityLevel }));
                expectOnly(problems, 'schemaRegistry.overrides["b-value"]', refused, `${tier}/${target} override=${level}`);
                assert.equal(problems.length, refused ? 1 : 0);
            }
        }
        assert.deepEqual([...PROD_COMPATIBILITY_LEVELS].sort(), ["BACKWARD_TRANSITIVE", "FULL_TRANSITIVE"]);
    });

    it("cdc.sslMode: prod requires verify_identity, dev takes either verifying mode", () => {
        for (const [tier, target] of COMBOS) {
            for (const mode of SSL_MODES) {
                const problems = problemsAfter(tier, target, (c) => void (c.cdc.sslMode = mode));
                expectOnly(problems, "cdc.sslMode", tier === "prod" && mode !== "verify_identity", `${tier}/${target} ${mode}`);
            }
        }
    });

    it("lake.auditLockMode: prod requires COMPLIANCE, dev takes either", () => {
        for (const [tier, target] of COMBOS) {
            for (const mode of OBJECT_LOCK_MODES) {
                const problems = problemsAfter(tier, target, (c) => void (c.lake.auditLockMode = mode));
                expectOnly(problems, "lake.auditLockMode", tier === "prod" && mode !== "COMPLIANCE", `${tier}/${target} ${mode}`);
            }
        }
    });

    it("cluster type x availability x network x CKUs: each rule fires exactly where it should (property over the whole space)", () => {
        fc.assert(
            fc.property(
                fc.constantFrom(...COMBOS),
                fc.constantFrom(...CLUSTER_TYPES),
                fc.constantFrom("SINGLE_ZONE" as const, "MULTI_ZONE" as const),
                fc.constantFrom(...MYSQL_NETWORKS),
                fc.constantFrom(undefined, 1, 2, 3),
                fc.boolean(),
                ([tier, target], clusterType, availability, network, cku, runnerNamed) => {
                    const problems = problemsAfter(tier, target, (c) => {
                        Object.assign(c.confluent, { clusterType, availability, cku });
                        c.mysql.network = network;
                        c.mysql.deployerSecurityGroupIds = runnerNamed ? ["sg-0abc1234"] : [];
                        c.network.workloadSubnetIds = undefined;
                    });
                    const prod = tier === "prod";
                    const cloud = target === "cloud";
                    const privatelink = network === "privatelink" && cloud;
                    const expected = [
                        prod && clusterType === "basic" && "confluent.clusterType",
                        prod && cloud && network !== "privatelink" && "mysql.network",
                        privatelink && clusterType !== "dedicated" && "mysql.network",
                        privatelink && !runnerNamed && "mysql.deployerSecurityGroupIds",
                        clusterType !== "dedicated" && cku !== undefined && "confluent.cku",
                        clusterType === "dedicated" && availability === "MULTI_ZONE" && (cku ?? 0) < 2 && "confluent.cku",
                        clusterType === "basic" && availability === "MULTI_ZONE" && "confluent.availability",
                        cloud && network === "public" && "network.workloadSubnetIds",
                    ]
                        .filter((k): k is string => typeof k === "string")
                        .map((k) => `lifesci-streaming:${k}`);
                    assert.deepEqual(problems.map(keyOf).sort(), expected.sort(), JSON.stringify(problems));
                },
            ),
            { numRuns: 300 },
        );
    });

    it("prod's basic cluster is refused for having no SLA", () => {
        const problems = problemsAfter("prod", "local", (c) => Object.assign(c.confluent, { clusterType: "basic", availability: "SINGLE_ZONE", cku: undefined }));
        assert.deepEqual(problems, ["lifesci-streaming:confluent.clusterType: basic has no SLA; use standard or dedicated for tier prod"]);
    });

    it("a CPU size Fargate does not offer has no memory choices (the schema refuses that CPU), so no memory line either", () => {
        for (const [tier, target] of COMBOS) assert.deepEqual(problemsAfter(tier, target, (c) => void ((c.streams.cpu = 300), (c.streams.memoryMiB = 777))), []);
    });

    it("the Snowflake region check compares with the stack's own AWS region, in cloud only, and only when both are known", () => {
        assert.equal(snowflakeRegionOf("eu-central-1"), "AWS_EU_CENTRAL_1");
        assert.equal(snowflakeRegionOf("us-gov-west-1"), "AWS_US_GOV_WEST_1");
        for (const [tier, target] of COMBOS) {
            assert.deepEqual(problemsAfter(tier, target, (c) => void ((c.region = "us-east-1"), (c.warehouse.region = undefined))), [], "no Snowflake region given");
            assert.deepEqual(problemsAfter(tier, target, (c) => void ((c.region = ""), (c.warehouse.region = "AWS_EU_WEST_1"))), [], "no AWS region given");
        }
    });

    it("a zero lock period names the unit that holds it", () => {
        const years = problemsAfter("dev", "cloud", (c) => void ((c.lake.auditLockMode = "GOVERNANCE"), (c.lake.auditLockDays = undefined), (c.lake.auditLockYears = 0)));
        assert.deepEqual(years, ["lifesci-streaming:lake.auditLockYears: the audit archive needs a retention of at least 1 (got 0)"]);
        const days = problemsAfter("dev", "cloud", (c) => void ((c.lake.auditLockMode = "COMPLIANCE"), (c.lake.auditLockDays = 0), (c.lake.auditLockYears = undefined)));
        assert.deepEqual(days, ["lifesci-streaming:lake.auditLockDays: COMPLIANCE mode needs a retention of at least 1 (got 0); locked versions cannot be shortened later"]);
    });

    it("raw objects without an expiry (prod's default) pass the lifecycle order check", () => {
        for (const [tier, target] of COMBOS) assert.deepEqual(problemsAfter(tier, target, (c) => void (c.lake.rawExpirationDays = undefined)), []);
    });
});

describe("config/checks: ksqldb.allowReplay, a per-app permission", () => {
    const APPS = KSQL_APPS.map((a) => a.name as string);
    const replay = (tier: Tier, allow: string[], env: Record<string, string | undefined>) => {
        const cfg = fresh(tier, "cloud");
        cfg.ksqldb.allowReplay = allow;
        return allowReplayProblems(cfg, env);
    };
    const appsNamed = (problems: string[]) => problems.map((p) => /"([^"]+)"/.exec(p)?.[1]);

    it("the catalog has several apps, so one-of-several is a real case", () => assert.ok(APPS.length >= 3, APPS.join()));

    it("an unknown app is refused in every tier, naming the key and the known apps", () => {
        for (const tier of TIERS) {
            const problems = replay(tier, ["order_monitoring", "nope"], { [ALLOW_REPLAY_ENV]: "order_monitoring,nope" });
            assert.deepEqual(problems, [`lifesci-streaming:ksqldb.allowReplay: unknown ksqlDB app "nope"; apps are ${APPS.join(", ")}`]);
        }
    });

    it("dev: the stack config alone allows any subset, whatever the environment says", () => {
        for (const app of APPS) assert.deepEqual(replay("dev", [app], {}), []);
        assert.deepEqual(replay("dev", APPS, { [ALLOW_REPLAY_ENV]: "" }), []);
    });

    it("prod: one of several apps named by the deploy allows that one only", () => {
        const [a, b, c] = APPS;
        assert.deepEqual(appsNamed(replay("prod", [a, b, c], { [ALLOW_REPLAY_ENV]: b })), [a, c]);
        assert.deepEqual(appsNamed(replay("prod", [a], { [ALLOW_REPLAY_ENV]: b })), [a], "another app named does not allow this one");
        assert.deepEqual(replay("prod", [a], { [ALLOW_REPLAY_ENV]: ` ${b} , ${a} ,` }), [], "spaces and empty entries are ignored");
        assert.deepEqual(replay("prod", [], { [ALLOW_REPLAY_ENV]: APPS.join(",") }), [], "the environment alone allows nothing that config does not list");
        const [message] = replay("prod", [a], {});
        assert.equal(
            message,
            `lifesci-streaming:ksqldb.allowReplay: tier prod refuses to replay history of "${a}" into alerts, the warehouse and the audit archive unless this deploy also sets ${ALLOW_REPLAY_ENV}=${a}; remove the entry once the replay is done`,
        );
    });

    it("prod: exactly the listed apps the deploy does not name are refused (property over every subset pair)", () => {
        fc.assert(
            fc.property(fc.subarray(APPS), fc.subarray(APPS), fc.constantFrom(",", " , ", ",,"), (listed, named, sep) => {
                const problems = replay("prod", listed, { [ALLOW_REPLAY_ENV]: named.join(sep) });
                assert.deepEqual(appsNamed(problems), listed.filter((a) => !named.includes(a)));
                assert.deepEqual(replay("dev", listed, { [ALLOW_REPLAY_ENV]: named.join(sep) }), []);
            }),
            { numRuns: 200 },
        );
    });
});

describe("config/checks: network.awsApiAccess x internetEgress x mysql.network, in every tier and target", () => {
    const networkOnly = (problems: string[]) => problems.filter((p) => keyOf(p).startsWith("lifesci-streaming:network."));
    // The oracle, written from the README's rules rather than from the code: local never asks;
    // cloud needs a choice; a NAT is a route to the internet; the Streams apps always need the
    // internet (public Schema Registry), and the public brokers too with mysql.network public.
    function expected(target: Target, tier: Tier, access: string | undefined, egress: string | undefined): string | undefined {
        if (target === "local") return undefined;
        if (access === undefined) return `network.awsApiAccess: required for tier ${tier}`;
        if (access === "nat" && egress === "none") return "network.internetEgress: none contradicts awsApiAccess nat";
        const effective = egress ?? (access === "endpoints" ? "none" : "nat");
        if (effective === "none") return `${egress === "none" ? "network.internetEgress" : "network.awsApiAccess"}: endpoints reach the AWS APIs only`;
        return undefined;
    }

    it("every combination: exactly the expected problem, naming the key the user set, or none", () => {
        for (const [tier, target] of COMBOS) {
            for (const access of [undefined, ...AWS_API_ACCESS_MODES]) {
                for (const egress of [undefined, ...INTERNET_EGRESS_MODES]) {
                    for (const network of MYSQL_NETWORKS) {
                        const problems = networkOnly(problemsAfter(tier, target, (c) => void ((c.network = { awsApiAccess: access, internetEgress: egress, workloadSubnetIds: ["subnet-0d1"] }), (c.mysql.network = network))));
                        const want = expected(target, tier, access, egress);
                        const what = `${tier}/${target} awsApiAccess=${access} internetEgress=${egress} mysql.network=${network}`;
                        if (want === undefined) assert.deepEqual(problems, [], what);
                        else {
                            assert.equal(problems.length, 1, `${what}: ${JSON.stringify(problems)}`);
                            assert.ok(problems[0].startsWith(`lifesci-streaming:${want}`), `${what}: ${problems[0]}`);
                        }
                    }
                }
            }
        }
    });

    it("the refusal lists what needs the internet: the public brokers only where mysql.network is public, Schema Registry always", () => {
        const endpointsOnly = (network: "public" | "privatelink") =>
            networkOnly(problemsAfter("dev", "cloud", (c) => void ((c.network = { awsApiAccess: "endpoints", workloadSubnetIds: ["subnet-0d1"] }), (c.mysql.network = network))))[0];
        assert.match(endpointsOnly("public"), /Confluent Cloud's public Kafka brokers/);
        assert.match(endpointsOnly("public"), /Confluent Schema Registry's public REST endpoint/);
        assert.doesNotMatch(endpointsOnly("privatelink"), /Kafka brokers/);
        assert.match(endpointsOnly("privatelink"), /Schema Registry/);
        assert.match(endpointsOnly("privatelink"), /set network\.internetEgress nat/);
    });

    it("the loader: prod's stack file without the section is refused naming the key; dev's defaults to nat", () => {
        for (const [stack, tier] of [["prod", "prod"], ["dev", "dev"]] as const) {
            const { values, secretKeys } = stackFile(stack);
            // dev keeps only what it cannot default: its tasks' subnets.
            if (tier === "prod") delete values["lifesci-streaming:network"];
            else values["lifesci-streaming:network"] = JSON.stringify({ workloadSubnetIds: ["subnet-0d1"] });
            const parse = () => parsePlatformConfig({ project: "lifesci-streaming", stack, values, secretKeys, env: {} });
            if (tier === "prod") assert.throws(parse, /lifesci-streaming:network\.awsApiAccess: required for tier prod/);
            else assert.equal(parse().network.awsApiAccess, "nat");
        }
        const { values, secretKeys } = stackFile("prod");
        values["lifesci-streaming:network"] = JSON.stringify({ awsApiAccess: "endpoint" });
        assert.throws(() => parsePlatformConfig({ project: "lifesci-streaming", stack: "prod", values, secretKeys, env: {} }), /lifesci-streaming:network\.awsApiAccess: must be one of nat, endpoints/);
        values["lifesci-streaming:network"] = JSON.stringify({ awsApiAcess: "nat" });
        assert.throws(() => parsePlatformConfig({ project: "lifesci-streaming", stack: "prod", values, secretKeys, env: {} }), /lifesci-streaming:network: unknown key\(s\) awsApiAcess \(did you mean awsApiAccess\?\)/);
    });
});
