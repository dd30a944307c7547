// The config schema on both sides of every limit: each number just below, at, and just above its
// bounds; every enum value and one outside; each pattern with good values and the near misses it
// exists to refuse. The limits are written here, not read from the schema, so a changed limit
// fails; the keys are read from the schema, so a new key without a row fails too.
import { strict as assert } from "assert";
import { z } from "zod";
import {
    CLUSTER_TYPES,
    COMPATIBILITY_LEVELS,
    KSQL_CSU_SIZES,
    MYSQL_NETWORKS,
    OBJECT_LOCK_MODES,
    PROD_COMPATIBILITY_LEVELS,
    S3_TIME_INTERVALS,
    SNAPSHOT_MODES,
    SSL_MODES,
    WAREHOUSE_SIZES,
    cdcSchema,
    confluentSchema,
    isIpv4Cidr,
    ksqldbSchema,
    lakeSchema,
    mysqlSchema,
    schemaRegistrySchema,
    topicsSchema,
    warehouseSchema,
    FARGATE_TASK_SIZES,
    LOG_RETENTION_DAYS,
    fargateMemoryChoices,
    streamsSchema,
    AWS_API_ACCESS_MODES,
    INTERNET_EGRESS_MODES,
    networkSchema,
} from "./schema";

const SECTIONS = {
    mysql: mysqlSchema,
    confluent: confluentSchema,
    topics: topicsSchema,
    cdc: cdcSchema,
    schemaRegistry: schemaRegistrySchema,
    lake: lakeSchema,
    warehouse: warehouseSchema,
    ksqldb: ksqldbSchema,
    streams: streamsSchema,
    network: networkSchema,
} as const;
type Section = keyof typeof SECTIONS;

/** The messages of parsing `{ [key]: value }` in a section; [] when it is accepted. */
function messages(section: Section, key: string, value: unknown): string[] {
    const result = (SECTIONS[section] as z.ZodType).safeParse({ [key]: value });
    return result.success ? [] : result.error.issues.map((i) => `${[key, ...i.path.slice(1).map(String)].join(".")}: ${i.message}`);
}
const accepts = (section: Section, key: string, value: unknown) =>
    assert.deepEqual(messages(section, key, value), [], `${section}.${key} = ${JSON.stringify(value)} is allowed`);
function refuses(section: Section, key: string, value: unknown, expected?: string | RegExp): void {
    const got = messages(section, key, value);
    assert.equal(got.length, 1, `${section}.${key} = ${JSON.stringify(value)} is refused with one message, got ${JSON.stringify(got)}`);
    if (typeof expected === "string") assert.equal(got[0], `${key}: ${expected}`);
    else if (expected) assert.match(got[0], expected);
}

/** Whole numbers: [section, key, unit, min and its message, max and its message] (undefined: unbounded). */
const NUMBERS: [Section, string, string, [number, string?]?, [number, string?]?][] = [
    ["mysql", "allocatedStorageGb", "GiB", [20, "must be at least 20 GiB"], [65536]],
    ["mysql", "maxAllocatedStorageGb", "GiB", undefined, [65536]],
    ["mysql", "backupRetentionDays", "days", [1, "must be at least 1: RDS keeps binlogs only while automated backups are on"], [35, "must be at most 35 (RDS limit)"]],
    ["mysql", "binlogRetentionHours", "hours", [1, "must be at least 1 so a paused connector can resume"], [168, "must be at most 168 (RDS limit)"]],
    ["mysql", "maxCidrPrefix", "prefix length", [8, "must be at least 8"], [32]],
    ["confluent", "cku", "CKUs", [1]],
    ["topics", "partitions", "partitions", [1, "must be at least 1"], [100]],
    ["topics", "retentionHours", "hours", [1, "must be positive"]],
    ["topics", "auditRetentionDays", "days", [1, "must be positive"]],
    ["cdc", "heartbeatIntervalMs", "ms", [0]],
    ["lake", "rawInfrequentAccessDays", "days", [30, "must be at least 30 (S3 minimum before STANDARD_IA)"]],
    ["lake", "rawGlacierDays", "days", [1, "must be positive"]],
    ["lake", "rawExpirationDays", "days", [1, "must be positive"]],
    ["lake", "auditLockDays", "days", [0, "must not be negative"]],
    ["lake", "auditLockYears", "years", [0, "must not be negative"], [100]],
    ["lake", "flushSize", "records", [1, "must be at least 1"]],
    ["lake", "rotateIntervalMs", "ms", [60_000, "must be at least 60000 (one minute)"], [86_400_000]],
    ["warehouse", "autoSuspendSeconds", "seconds", [60, "must be at least 60; 0 would keep the warehouse running forever"]],
    ["warehouse", "bufferFlushSeconds", "seconds", [1, "must be at least 1"], [3600]],
    ["warehouse", "dataRetentionDays", "days", [0], [90, "must be at most 90 (Snowflake Time Travel limit)"]],
    ["ksqldb", "orderStuckSlaMinutes", "minutes", [5, "must be at least 5 minutes"], [43200, "must be at most 43200 minutes (30 days)"]],
    ["streams", "desiredCount", "tasks", [1, "must be at least 1"], [20]],
    ["streams", "memoryMiB", "MiB", [512]],
];

/** Enums: [section, key, every allowed value, the message for a value outside] (undefined: zod's own). */
const ENUMS: [Section, string, readonly string[], string?][] = [
    ["mysql", "engineVersion", ["8.0", "8.4"]],
    ["mysql", "network", MYSQL_NETWORKS, "must be one of public, privatelink"],
    ["confluent", "clusterType", CLUSTER_TYPES, "must be one of basic, standard, dedicated (ksqlDB does not run on enterprise clusters)"],
    ["confluent", "availability", ["SINGLE_ZONE", "MULTI_ZONE"]],
    ["confluent", "streamGovernance", ["ESSENTIALS", "ADVANCED"]],
    ["cdc", "snapshotMode", SNAPSHOT_MODES],
    ["cdc", "sslMode", SSL_MODES],
    ["schemaRegistry", "cdcCompatibility", COMPATIBILITY_LEVELS, `must be one of ${COMPATIBILITY_LEVELS.join(", ")}`],
    ["schemaRegistry", "ksqlCompatibility", COMPATIBILITY_LEVELS, `must be one of ${COMPATIBILITY_LEVELS.join(", ")}`],
    ["lake", "auditLockMode", OBJECT_LOCK_MODES, "must be one of GOVERNANCE, COMPLIANCE"],
    ["lake", "timeInterval", S3_TIME_INTERVALS],
    ["warehouse", "warehouseSize", WAREHOUSE_SIZES],
    ["network", "awsApiAccess", AWS_API_ACCESS_MODES, "must be one of nat, endpoints"],
    ["network", "internetEgress", INTERNET_EGRESS_MODES, "must be one of nat, none"],
];

/** Patterns: [section, key, accepted, refused (the near misses), message]. */
const PATTERNS: [Section, string, unknown[], unknown[], string][] = [
    ["mysql", "instanceClass", ["db.t4g.medium", "db.r6g.2xlarge", "db.m5.large"], ["t4g.medium", "xdb.t4g.medium", "db.t4g.medium ", "db.T4G.medium", "db.t4g", "db..medium", "db.t4g.", "db-t4g-medium"], "must be an RDS instance class such as db.t4g.medium"],
    ["mysql", "caPem", ["-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"], ["MIIB", "-----BEGIN PRIVATE KEY-----"], "must be a PEM certificate bundle"],
    ["lake", "breakGlassRoleArn", ["arn:aws:iam::123456789012:role/break-glass", "arn:aws-cn:iam::123456789012:role/ops/break-glass"], ["arn:aws:iam::123:role/x", "arn:aws:iam::123456789012:user/x", "break-glass", "arn:aws:iam::123456789012:role/"], "must be an IAM role ARN such as arn:aws:iam::123456789012:role/break-glass"],
    ["mysql", "vpcId", ["vpc-0abc1234", "vpc-1"], ["vpc-", "vpc-0ABC", "xvpc-0abc", "vpc-0abc ", "subnet-0abc", "vpc-0abg"], "must be a VPC id such as vpc-0abc1234"],
    ["confluent", "topicPrefix", ["lifesci", "a", "a_b-c9", `a${"b".repeat(30)}`], ["", "Lifesci", "9lifesci", "-a", "a.b", `a${"b".repeat(31)}`, "lifesci "], "must be lower case letters, digits, - or _, starting with a letter"],
    ...(["overdueAfter", "overdueCheckInterval"] as const).map((key): [Section, string, unknown[], unknown[], string] => [
        "streams",
        key,
        ["PT24H", "PT1M", "P1D", "PT90S"],
        ["", "24h", "PT0S", "P", "PT", "1H", "PT24H ", "xPT1M"],
        "must be a positive ISO-8601 duration such as PT24H or PT1M",
    ]),
    ["warehouse", "region", ["AWS_EU_CENTRAL_1", "AZURE_WESTEUROPE", "GCP_US_CENTRAL1"], ["aws_eu_central_1", "AWS_", "AWS-EU", "XAWS_EU", "AWS_EU ", "ORACLE_EU"], "must be a Snowflake region id such as AWS_EU_CENTRAL_1"],
];

/** Lists of ids: [section, key, accepted lists, refused lists with the message]. */
const LISTS: [Section, string, unknown[][], [unknown, string][]][] = [
    ["mysql", "deployerSecurityGroupIds", [[], ["sg-0abc1234"], ["sg-1", "sg-0abc"]], [[["sg-0abc", "sg-XYZ"], "deployerSecurityGroupIds.1: must be a security group id such as sg-0abc1234"], [["xsg-1"], "deployerSecurityGroupIds.0: must be a security group id such as sg-0abc1234"], [["sg-1 "], "deployerSecurityGroupIds.0: must be a security group id such as sg-0abc1234"]]],
    ["network", "workloadSubnetIds", [["subnet-0d1"], ["subnet-0d1", "subnet-0d2"]], [[[], "workloadSubnetIds: must list at least 1 private subnet"], [["subnet-0d1", "subnet-0G"], "workloadSubnetIds.1: must be a subnet id such as subnet-0abc1234"], [["sg-0d1"], "workloadSubnetIds.0: must be a subnet id such as subnet-0abc1234"]]],
    ["mysql", "subnetIds", [["subnet-0a", "subnet-0b"], ["subnet-1", "subnet-2", "subnet-3"]], [[["subnet-0a"], "subnetIds: must list at least 2 subnets in different availability zones (RDS subnet group)"], [["subnet-0a", "subnet-0G"], "subnetIds.1: must be a subnet id such as subnet-0abc1234"], [["subnet-0a", "xsubnet-0b"], "subnetIds.1: must be a subnet id such as subnet-0abc1234"], [["subnet-0a", "subnet-0b "], "subnetIds.1: must be a subnet id such as subnet-0abc1234"]]],
    ["mysql", "operatorCidrs", [[], ["10.20.0.0/16", "3.64.0.0/28", "10.9.8.7/32"]], [
        [["10.20.0.0/16", "10.20.0.0"], "operatorCidrs.1: must be an IPv4 CIDR such as 10.20.0.0/16"],
        [["10.40.1.5/16"], "operatorCidrs.0: 10.40.1.5/16 has host bits set: its network address is 10.40.0.0/16; write that, or 10.40.1.5/32 for the one host"],
    ]],
    ["ksqldb", "allowReplay", [[], ["order_monitoring", "lab_validation"]], [["order_monitoring", "allowReplay: must be a list of ksqlDB app names"]]],
    ["lake", "evidenceWriterArns", [[], ["arn:aws:iam::123456789012:role/lifesci-prod-deploy"], ["arn:aws-us-gov:iam::123456789012:role/ci/deploy"]], [
        [["arn:aws:iam::123456789012:user/alice"], "evidenceWriterArns.0: must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"],
        [["arn:aws:iam::123456789012:role/deploy", "arn:aws:iam::12345:role/x"], "evidenceWriterArns.1: must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"],
        [["lifesci-prod-deploy"], "evidenceWriterArns.0: must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)"],
    ]],
];

const BOOLEANS: [Section, string][] = [
    ["mysql", "multiAz"],
    ["mysql", "bootstrap"],
    ["mysql", "seedData"],
    ["ksqldb", "useDetailedProcessingLog"],
];

/** Keys with their own case below. */
const SPECIAL: [Section, string][] = [
    ["schemaRegistry", "overrides"],
    ["ksqldb", "csu"],
    ["streams", "cpu"],
    ["streams", "logRetentionDays"],
];

describe("config/schema: every key of every section on both sides of its limits", () => {
    it("every key of every section has a row here (a new key needs its limits stated)", () => {
        const covered = [...NUMBERS, ...ENUMS, ...PATTERNS, ...LISTS, ...BOOLEANS, ...SPECIAL].map(([s, k]) => `${s}.${k}`).sort();
        const keys = Object.entries(SECTIONS).flatMap(([s, schema]) => Object.keys(schema.shape).map((k) => `${s}.${k}`)).sort();
        assert.deepEqual(covered, keys);
    });

    for (const [section, key, unit, min, max] of NUMBERS) {
        it(`${section}.${key}: ${min ? `min ${min[0]}` : "no min"}, ${max ? `max ${max[0]}` : "no max"}, whole numbers of ${unit}`, () => {
            if (min) {
                accepts(section, key, min[0]);
                refuses(section, key, min[0] - 1, min[1]);
            }
            if (max) {
                accepts(section, key, max[0]);
                refuses(section, key, max[0] + 1, max[1]);
            }
            refuses(section, key, (min?.[0] ?? 0) + 1.5, `must be a whole number (${unit})`);
            refuses(section, key, String(min?.[0] ?? 1), `must be a number (${unit})`);
            accepts(section, key, undefined);
        });
    }

    for (const [section, key, values, message] of ENUMS) {
        it(`${section}.${key}: each of ${values.join(", ")}; nothing else`, () => {
            for (const v of values) accepts(section, key, v);
            const flipped = values[0].toLowerCase() === values[0] ? values[0].toUpperCase() : values[0].toLowerCase();
            for (const outside of ["", `${values[0]} `, "enterprise", ...(values.includes(flipped) ? [] : [flipped])]) refuses(section, key, outside, message);
        });
    }

    for (const [section, key, good, bad, message] of PATTERNS) {
        it(`${section}.${key}: the pattern and its near misses`, () => {
            for (const v of good) accepts(section, key, v);
            for (const v of bad) refuses(section, key, v, message);
        });
    }

    for (const [section, key, good, bad] of LISTS) {
        it(`${section}.${key}: each item checked, one bad item of several named by its index`, () => {
            for (const v of good) accepts(section, key, v);
            for (const [v, expected] of bad) assert.deepEqual(messages(section, key, v), [expected]);
        });
    }

    for (const [section, key] of BOOLEANS) {
        it(`${section}.${key}: true or false, not the string`, () => {
            accepts(section, key, true);
            accepts(section, key, false);
            refuses(section, key, "true");
        });
    }

    it("ksqldb.csu: each Confluent CSU size, and the sizes in between are refused", () => {
        assert.deepEqual([...KSQL_CSU_SIZES], [1, 2, 4, 8, 12, 28]);
        for (const csu of KSQL_CSU_SIZES) accepts("ksqldb", "csu", csu);
        for (const csu of [0, 3, 5, 16, 29]) refuses("ksqldb", "csu", csu, "must be one of 1, 2, 4, 8, 12, 28 (Confluent Cloud CSU sizes)");
        refuses("ksqldb", "csu", "4", "must be a number (CSUs)");
    });

    it("prod's compatibility levels are the two transitive ones that keep every earlier version readable", () => {
        assert.deepEqual([...PROD_COMPATIBILITY_LEVELS], ["BACKWARD_TRANSITIVE", "FULL_TRANSITIVE"]);
    });

    it("streams.cpu: each Fargate CPU size, nothing in between; logRetentionDays: each CloudWatch retention", () => {
        assert.deepEqual(Object.keys(FARGATE_TASK_SIZES).map(Number), [256, 512, 1024, 2048, 4096, 8192, 16384]);
        for (const cpu of Object.keys(FARGATE_TASK_SIZES).map(Number)) accepts("streams", "cpu", cpu);
        for (const cpu of [0, 128, 768, 32768]) refuses("streams", "cpu", cpu, "must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 (Fargate CPU units)");
        refuses("streams", "cpu", "512", "must be a number (CPU units)");
        for (const days of LOG_RETENTION_DAYS) accepts("streams", "logRetentionDays", days);
        for (const days of [0, 2, 366, 3654]) refuses("streams", "logRetentionDays", days, /^logRetentionDays: must be one of 1, 3, 5, .*, 3653 \(CloudWatch Logs retention\)$/);
        refuses("streams", "logRetentionDays", "14", "must be a number (days)");
    });

    it("fargateMemoryChoices: the memory sizes AWS documents for each CPU size, and none for another CPU", () => {
        const steps = (min: number, max: number, step: number) => Array.from({ length: (max - min) / step + 1 }, (_, i) => min + i * step);
        const EXPECTED: [number, number[]][] = [
            [256, [512, 1024, 2048]],
            [512, [1024, 2048, 3072, 4096]],
            [1024, steps(2048, 8192, 1024)],
            [2048, steps(4096, 16384, 1024)],
            [4096, steps(8192, 30720, 1024)],
            [8192, steps(16384, 61440, 4096)],
            [16384, steps(32768, 122880, 8192)],
        ];
        for (const [cpu, memory] of EXPECTED) assert.deepEqual(fargateMemoryChoices(cpu), memory, `${cpu} CPU units`);
        assert.equal(fargateMemoryChoices(8192).length, 12);
        for (const cpu of [0, 300, 32768]) assert.deepEqual(fargateMemoryChoices(cpu), [], `${cpu} CPU units`);
        const first = fargateMemoryChoices(256);
        first.push(1);
        assert.deepEqual(fargateMemoryChoices(256), [512, 1024, 2048], "a copy: the table is not changed through it");
    });

    it("schemaRegistry.overrides: any subject to a known level; one bad level of several is named by subject", () => {
        accepts("schemaRegistry", "overrides", { "lifesci.sap_orders.sales_orders-value": "FULL_TRANSITIVE", "x-key": "NONE" });
        assert.deepEqual(messages("schemaRegistry", "overrides", { "a-value": "FULL", "b-value": "LOOSE" }), [`overrides.b-value: must be one of ${COMPATIBILITY_LEVELS.join(", ")}`]);
    });

    it("every section refuses an unknown key (a typo never passes silently)", () => {
        for (const section of Object.keys(SECTIONS) as Section[]) {
            const result = (SECTIONS[section] as z.ZodType).safeParse({ typoKey: 1 });
            assert.ok(!result.success && result.error.issues[0].code === "unrecognized_keys", section);
        }
    });
});

describe("config/schema: isIpv4Cidr, every octet boundary and prefix 32/33", () => {
    it("octets 0..255 in every position, prefixes 0..32", () => {
        for (const octet of ["0", "9", "10", "99", "100", "199", "200", "249", "250", "255"]) {
            for (const position of [0, 1, 2, 3]) {
                const parts = ["10", "20", "30", "40"];
                parts[position] = octet;
                assert.ok(isIpv4Cidr(`${parts.join(".")}/16`), `${parts.join(".")}/16`);
            }
        }
        for (const bits of [0, 8, 9, 10, 19, 29, 30, 32]) assert.ok(isIpv4Cidr(`10.0.0.0/${bits}`), `/${bits}`);
    });

    it("refuses what only looks like a CIDR", () => {
        const bad = [
            "256.0.0.0/8", "10.256.0.0/8", "10.0.300.0/8", "10.0.0.260/8", "1000.0.0.0/8", "10.0.0.0/33", "10.0.0.0/99", "10.0.0.0/123",
            "10.0.0.0", "10.0.0.0/", "10.0.0/8", "10.0.0.0.0/8", "10.0.0.0/8/1", "a.b.c.d/8", "10.0.0.0/x", "x10.0.0.0/8", "10.0.0.0x/8", "10.0.0.-1/8",
            "10..0.0/8", " 10.0.0.0/8", "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0/+8", "10.0.0.0/8/",
        ];
        for (const cidr of bad) assert.equal(isIpv4Cidr(cidr), false, cidr);
    });
});
