// Stack config -> one typed, validated PlatformConfig. Every check runs before any resource
// is registered, and every error names the config key and what is allowed.
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { DEFAULT_MAX_CIDR_PREFIX, databaseCidrProblems } from "./config/cidr";
import { MonitoringConfig, monitoringSchema, resolveMonitoringConfig } from "./monitoringConfig";

export const PROJECT_NAMESPACE = "lifesci-streaming";

export const TARGETS = ["cloud", "local"] as const;
export const TIERS = ["dev", "prod"] as const;
/** ksqlDB does not run on Enterprise clusters, and Freight has no ksqlDB/connectors either. */
export const CLUSTER_TYPES = ["basic", "standard", "dedicated"] as const;
export const SNAPSHOT_MODES = ["initial", "initial_only", "when_needed", "never", "no_data", "recovery"] as const;
/**
 * The CDC connector verifies the server certificate: `verify_ca` at least, `verify_identity` in
 * prod (MySqlCdcSourceV2 `database.ssl.mode`; `required` encrypts without checking who answers).
 * https://docs.confluent.io/cloud/current/connectors/cc-mysql-source-cdc-v2-debezium/cc-mysql-source-cdc-v2-debezium.html#configuration-properties
 */
export const SSL_MODES = ["verify_ca", "verify_identity"] as const;
/**
 * How managed connectors reach RDS: `public` (Standard/Basic cluster, Confluent's egress IPs on
 * an allowlist) or `privatelink` (dedicated cluster, AWS Egress PrivateLink; RDS not public).
 */
export const MYSQL_NETWORKS = ["public", "privatelink"] as const;

export type Target = (typeof TARGETS)[number];
export type Tier = (typeof TIERS)[number];

/** Keys that hold credentials: when set in config they must be Pulumi secrets. */
export const SECRET_CONFIG_KEYS = [
    "confluentcloud:cloudApiKey",
    "confluentcloud:cloudApiSecret",
    // The Snowflake deployer's credentials (the warehouse component's explicit provider reads them).
    "snowflake:privateKey",
    "snowflake:privateKeyPassphrase",
    "snowflake:password",
    // Grafana: service account token, Grafana Cloud access policy token, alert webhook URL.
    "grafana:auth",
    "grafana:cloudAccessPolicyToken",
    "lifesci-streaming:alertWebhookUrl",
    // The CDC connectors' trust store holding the RDS CA bundle (base64 PKCS12) and its password.
    "lifesci-streaming:cdcTruststore",
    "lifesci-streaming:cdcTruststorePassword",
] as const;

const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** True for an IPv4 CIDR such as 10.20.0.0/16. */
export function isIpv4Cidr(value: string): boolean {
    const [address, bits, ...rest] = value.split("/");
    if (rest.length > 0 || bits === undefined || !/^\d{1,2}$/.test(bits)) return false;
    return ipv4.test(address) && Number(bits) <= 32;
}

const cidr = z.string().refine(isIpv4Cidr, { message: "must be an IPv4 CIDR such as 10.20.0.0/16" });

const positiveInt = (what: string) =>
    z.number({ error: `must be a number (${what})` }).int({ message: `must be a whole number (${what})` });

const mysqlSchema = z.strictObject({
    engineVersion: z.enum(["8.0", "8.4"]).optional(),
    instanceClass: z
        .string()
        .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, { message: "must be an RDS instance class such as db.t4g.medium" })
        .optional(),
    allocatedStorageGb: positiveInt("GiB").min(20, { message: "must be at least 20 GiB" }).max(65536).optional(),
    maxAllocatedStorageGb: positiveInt("GiB").max(65536).optional(),
    backupRetentionDays: positiveInt("days")
        .min(1, { message: "must be at least 1: RDS keeps binlogs only while automated backups are on" })
        .max(35, { message: "must be at most 35 (RDS limit)" })
        .optional(),
    binlogRetentionHours: positiveInt("hours")
        .min(1, { message: "must be at least 1 so a paused connector can resume" })
        .max(168, { message: "must be at most 168 (RDS limit)" })
        .optional(),
    multiAz: z.boolean().optional(),
    network: z.enum(MYSQL_NETWORKS, { error: `must be one of ${MYSQL_NETWORKS.join(", ")}` }).optional(),
    /** Security groups of the in-VPC runners that run `pulumi up` (the SQL bootstrap connects from there). */
    deployerSecurityGroupIds: z
        .array(z.string().regex(/^sg-[0-9a-f]+$/, { message: "must be a security group id such as sg-0abc1234" }))
        .optional(),
    /** Broadest CIDR the database may be opened to (prefix length). */
    maxCidrPrefix: positiveInt("prefix length").min(8, { message: "must be at least 8" }).max(32).optional(),
    /** CA bundle (PEM) that signs the server certificate of a non-RDS source. */
    caPem: z.string().includes("-----BEGIN CERTIFICATE-----", { message: "must be a PEM certificate bundle" }).optional(),
    vpcId: z.string().regex(/^vpc-[0-9a-f]+$/, { message: "must be a VPC id such as vpc-0abc1234" }).optional(),
    subnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]+$/, { message: "must be a subnet id such as subnet-0abc1234" }))
        .min(2, { message: "must list at least 2 subnets in different availability zones (RDS subnet group)" })
        .optional(),
    operatorCidrs: z.array(cidr).optional(),
    bootstrap: z.boolean().optional(),
    seedData: z.boolean().optional(),
});

const confluentSchema = z.strictObject({
    clusterType: z.enum(CLUSTER_TYPES, {
        error: `must be one of ${CLUSTER_TYPES.join(", ")} (ksqlDB does not run on enterprise clusters)`,
    }).optional(),
    availability: z.enum(["SINGLE_ZONE", "MULTI_ZONE"]).optional(),
    cku: positiveInt("CKUs").min(1).optional(),
    streamGovernance: z.enum(["ESSENTIALS", "ADVANCED"]).optional(),
    topicPrefix: z
        .string()
        .regex(/^[a-z][a-z0-9_-]{0,30}$/, { message: "must be lower case letters, digits, - or _, starting with a letter" })
        .optional(),
});

const topicsSchema = z.strictObject({
    partitions: positiveInt("partitions").min(1, { message: "must be at least 1" }).max(100).optional(),
    retentionHours: positiveInt("hours").min(1, { message: "must be positive" }).optional(),
    auditRetentionDays: positiveInt("days").min(1, { message: "must be positive" }).optional(),
});

const cdcSchema = z.strictObject({
    snapshotMode: z.enum(SNAPSHOT_MODES).optional(),
    sslMode: z.enum(SSL_MODES).optional(),
    heartbeatIntervalMs: positiveInt("ms").min(0).optional(),
});

export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export const S3_TIME_INTERVALS = ["HOURLY", "DAILY"] as const;
export const WAREHOUSE_SIZES = ["XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE"] as const;

const lakeSchema = z.strictObject({
    rawInfrequentAccessDays: positiveInt("days").min(30, { message: "must be at least 30 (S3 minimum before STANDARD_IA)" }).optional(),
    rawGlacierDays: positiveInt("days").min(1, { message: "must be positive" }).optional(),
    rawExpirationDays: positiveInt("days").min(1, { message: "must be positive" }).optional(),
    auditLockMode: z.enum(OBJECT_LOCK_MODES, { error: `must be one of ${OBJECT_LOCK_MODES.join(", ")}` }).optional(),
    auditLockDays: positiveInt("days").min(0, { message: "must not be negative" }).optional(),
    auditLockYears: positiveInt("years").min(0, { message: "must not be negative" }).max(100).optional(),
    flushSize: positiveInt("records").min(1, { message: "must be at least 1" }).optional(),
    rotateIntervalMs: positiveInt("ms").min(60_000, { message: "must be at least 60000 (one minute)" }).max(86_400_000).optional(),
    timeInterval: z.enum(S3_TIME_INTERVALS).optional(),
});

const warehouseSchema = z.strictObject({
    /** Snowflake region id of the account, e.g. AWS_EU_CENTRAL_1; checked against aws:region. */
    region: z
        .string()
        .regex(/^(AWS|AZURE|GCP)_[A-Z0-9_]+$/, { message: "must be a Snowflake region id such as AWS_EU_CENTRAL_1" })
        .optional(),
    warehouseSize: z.enum(WAREHOUSE_SIZES).optional(),
    autoSuspendSeconds: positiveInt("seconds")
        .min(60, { message: "must be at least 60; 0 would keep the warehouse running forever" })
        .optional(),
    bufferFlushSeconds: positiveInt("seconds").min(1, { message: "must be at least 1" }).max(3600).optional(),
    dataRetentionDays: positiveInt("days").min(0).max(90, { message: "must be at most 90 (Snowflake Time Travel limit)" }).optional(),
});
/** CSU sizes Confluent Cloud offers for a ksqlDB cluster. */
export const KSQL_CSU_SIZES = [1, 2, 4, 8, 12, 28] as const;

const ksqldbSchema = z.strictObject({
    csu: z
        .number({ error: "must be a number (CSUs)" })
        .refine((v) => (KSQL_CSU_SIZES as readonly number[]).includes(v), {
            message: `must be one of ${KSQL_CSU_SIZES.join(", ")} (Confluent Cloud CSU sizes)`,
        })
        .optional(),
    orderStuckSlaMinutes: positiveInt("minutes")
        .min(5, { message: "must be at least 5 minutes" })
        .max(43200, { message: "must be at most 43200 minutes (30 days)" })
        .optional(),
    useDetailedProcessingLog: z.boolean().optional(),
});

export interface KsqlDbConfig {
    csu: number;
    /** An order that stays in one status longer than this is reported as stuck. */
    orderStuckSlaMinutes: number;
    /** Row data in the processing log; off in prod, where rows carry GMP data. */
    useDetailedProcessingLog: boolean;
}

export interface MySqlConfig {
    engineVersion: "8.0" | "8.4";
    instanceClass: string;
    allocatedStorageGb: number;
    maxAllocatedStorageGb: number;
    backupRetentionDays: number;
    binlogRetentionHours: number;
    multiAz: boolean;
    network: (typeof MYSQL_NETWORKS)[number];
    deployerSecurityGroupIds: string[];
    maxCidrPrefix: number;
    caPem?: string;
    vpcId?: string;
    subnetIds?: string[];
    operatorCidrs: string[];
    /** Run the SQL bootstrap (databases, DDL, CDC user, binlog retention) during `pulumi up`. */
    bootstrap: boolean;
    /** Load sql/mysql/*.seed.sql sample rows; never meant for production sources. */
    seedData: boolean;
}

export interface ConfluentConfig {
    cloud: "AWS";
    region: string;
    clusterType: (typeof CLUSTER_TYPES)[number];
    availability: "SINGLE_ZONE" | "MULTI_ZONE";
    cku?: number;
    streamGovernance: "ESSENTIALS" | "ADVANCED";
    topicPrefix: string;
}

export interface TopicsConfig {
    partitions: number;
    retentionHours: number;
    auditRetentionDays: number;
}

export interface CdcConfig {
    snapshotMode: (typeof SNAPSHOT_MODES)[number];
    sslMode: (typeof SSL_MODES)[number];
    heartbeatIntervalMs: number;
}

export interface LakeConfig {
    rawInfrequentAccessDays: number;
    rawGlacierDays: number;
    /** Raw objects expire after this many days; undefined keeps them. */
    rawExpirationDays?: number;
    auditLockMode: (typeof OBJECT_LOCK_MODES)[number];
    /** Exactly one of days/years is set. */
    auditLockDays?: number;
    auditLockYears?: number;
    flushSize: number;
    rotateIntervalMs: number;
    timeInterval: (typeof S3_TIME_INTERVALS)[number];
}

export interface WarehouseConfig {
    /** `snowflake:organizationName` / `snowflake:accountName` (provider config, not secrets). */
    organizationName: string;
    accountName: string;
    region?: string;
    warehouseSize: (typeof WAREHOUSE_SIZES)[number];
    autoSuspendSeconds: number;
    bufferFlushSeconds: number;
    dataRetentionDays: number;
}

export interface PlatformConfig {
    project: string;
    stack: string;
    target: Target;
    tier: Tier;
    /** Prefix of physical names: `lifesci-<stack>`. */
    namePrefix: string;
    /** True for prod: protect stateful resources, deletion protection, final snapshots. */
    protect: boolean;
    region: string;
    mysql: MySqlConfig;
    confluent: ConfluentConfig;
    topics: TopicsConfig;
    cdc: CdcConfig;
    lake: LakeConfig;
    warehouse: WarehouseConfig;
    monitoring: MonitoringConfig;
    ksqldb: KsqlDbConfig;
}

/** Config values as the engine hands them over: every value a string, objects as JSON. */
export interface RawConfig {
    project: string;
    stack: string;
    /** Full keys (`namespace:key`) to string values. */
    values: Record<string, string>;
    /** Full keys whose values are Pulumi secrets. */
    secretKeys: ReadonlySet<string>;
}

export class ConfigError extends Error {
    constructor(readonly problems: string[], stack: string) {
        super(`Invalid config for stack "${stack}":\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

const KNOWN_KEYS = [
    "target",
    "tier",
    "mysql",
    "confluent",
    "topics",
    "cdc",
    "ksqldb",
    "lake",
    "warehouse",
    "monitoring",
    "alertWebhookUrl",
    "cdcTruststore",
    "cdcTruststorePassword",
] as const;

function key(name: string): string {
    return `${PROJECT_NAMESPACE}:${name}`;
}

/** Parses a structured config value, or records why it cannot be read. */
function readObject(raw: RawConfig, name: string, problems: string[]): unknown {
    const value = raw.values[key(name)];
    if (value === undefined) return {};
    try {
        return JSON.parse(value);
    } catch {
        problems.push(`${key(name)}: must be an object (got "${value}")`);
        return undefined;
    }
}

function zodProblems(name: string, error: z.ZodError): string[] {
    return error.issues.map((issue) => {
        const where = [name, ...issue.path.map(String)].join(".");
        if (issue.code === "unrecognized_keys") {
            return `${PROJECT_NAMESPACE}:${where}: unknown key(s) ${issue.keys.join(", ")}`;
        }
        return `${PROJECT_NAMESPACE}:${where}: ${issue.message}`;
    });
}

function parseSection<T extends z.ZodType>(raw: RawConfig, name: string, schema: T, problems: string[]): z.infer<T> {
    const value = readObject(raw, name, problems);
    if (value === undefined) return {} as z.infer<T>;
    const result = schema.safeParse(value);
    if (!result.success) {
        problems.push(...zodProblems(name, result.error));
        return {} as z.infer<T>;
    }
    return result.data;
}

function pickEnum<T extends string>(
    raw: RawConfig,
    name: string,
    allowed: readonly T[],
    fallback: T | undefined,
    problems: string[],
): T {
    const value = raw.values[key(name)];
    if (value === undefined) {
        if (fallback === undefined) problems.push(`${key(name)}: is required; one of ${allowed.join(", ")}`);
        return fallback as T;
    }
    if (!(allowed as readonly string[]).includes(value)) {
        problems.push(`${key(name)}: must be one of ${allowed.join(", ")} (got "${value}")`);
    }
    return value as T;
}

/** Pure: validates raw stack config and fills tier defaults. Throws ConfigError listing every problem. */
export function parsePlatformConfig(raw: RawConfig): PlatformConfig {
    const problems: string[] = [];

    for (const fullKey of Object.keys(raw.values)) {
        const [namespace, name] = fullKey.split(":");
        if (namespace === PROJECT_NAMESPACE && !(KNOWN_KEYS as readonly string[]).includes(name)) {
            problems.push(`${fullKey}: unknown key; known keys are ${KNOWN_KEYS.join(", ")}`);
        }
    }
    for (const secretKey of SECRET_CONFIG_KEYS) {
        if (raw.values[secretKey] !== undefined && !raw.secretKeys.has(secretKey)) {
            problems.push(`${secretKey}: must be a secret; set it with \`pulumi config set --secret ${secretKey} ...\``);
        }
    }

    const target = pickEnum(raw, "target", TARGETS, undefined, problems);
    const tier = pickEnum(raw, "tier", TIERS, "dev", problems);
    const prod = tier === "prod";
    const mysql = parseSection(raw, "mysql", mysqlSchema, problems);
    const confluent = parseSection(raw, "confluent", confluentSchema, problems);
    const topics = parseSection(raw, "topics", topicsSchema, problems);
    const cdc = parseSection(raw, "cdc", cdcSchema, problems);
    const lake = parseSection(raw, "lake", lakeSchema, problems);
    const warehouse = parseSection(raw, "warehouse", warehouseSchema, problems);
    const snowflakeAccount = snowflakeAccountConfig(raw, target, problems);
    const problemsBeforeMonitoring = problems.length;
    const monitoringSection = parseSection(raw, "monitoring", monitoringSchema, problems);
    const monitoring = resolveMonitoringConfig(monitoringSection, {
        tier,
        target,
        webhookUrlSet: raw.values[key("alertWebhookUrl")] !== undefined,
        webhookUrlKey: key("alertWebhookUrl"),
    });
    // Cross-field checks only make sense on a section that parsed.
    if (problems.length === problemsBeforeMonitoring) {
        problems.push(...monitoring.problems.map((p) => `${PROJECT_NAMESPACE}:${p}`));
    }
    const ksqldb = parseSection(raw, "ksqldb", ksqldbSchema, problems);

    const region = raw.values["aws:region"] ?? "";
    if (target === "cloud" && !region) {
        problems.push("aws:region: is required for target cloud (e.g. `pulumi config set aws:region eu-central-1`)");
    } else if (region && !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region)) {
        problems.push(`aws:region: must be an AWS region such as eu-central-1 (got "${region}")`);
    }

    const resolved: PlatformConfig = {
        project: raw.project,
        stack: raw.stack,
        target,
        tier,
        namePrefix: `lifesci-${raw.stack}`,
        protect: prod,
        region,
        mysql: {
            engineVersion: mysql.engineVersion ?? "8.0",
            instanceClass: mysql.instanceClass ?? (prod ? "db.r6g.large" : "db.t4g.medium"),
            allocatedStorageGb: mysql.allocatedStorageGb ?? (prod ? 200 : 50),
            maxAllocatedStorageGb: mysql.maxAllocatedStorageGb ?? (prod ? 1000 : 100),
            backupRetentionDays: mysql.backupRetentionDays ?? (prod ? 7 : 1),
            binlogRetentionHours: mysql.binlogRetentionHours ?? (prod ? 168 : 24),
            multiAz: mysql.multiAz ?? prod,
            network: mysql.network ?? (prod ? "privatelink" : "public"),
            deployerSecurityGroupIds: mysql.deployerSecurityGroupIds ?? [],
            maxCidrPrefix: mysql.maxCidrPrefix ?? DEFAULT_MAX_CIDR_PREFIX,
            caPem: mysql.caPem,
            vpcId: mysql.vpcId,
            subnetIds: mysql.subnetIds,
            operatorCidrs: mysql.operatorCidrs ?? [],
            bootstrap: mysql.bootstrap ?? true,
            seedData: mysql.seedData ?? false,
        },
        confluent: {
            cloud: "AWS",
            region,
            clusterType: confluent.clusterType ?? "standard",
            availability: confluent.availability ?? (prod ? "MULTI_ZONE" : "SINGLE_ZONE"),
            cku: confluent.cku,
            streamGovernance: confluent.streamGovernance ?? (prod ? "ADVANCED" : "ESSENTIALS"),
            topicPrefix: confluent.topicPrefix ?? "lifesci",
        },
        topics: {
            partitions: topics.partitions ?? (prod ? 6 : 3),
            retentionHours: topics.retentionHours ?? (prod ? 168 : 72),
            auditRetentionDays: topics.auditRetentionDays ?? (prod ? 365 : 30),
        },
        cdc: {
            snapshotMode: cdc.snapshotMode ?? "initial",
            sslMode: cdc.sslMode ?? (prod ? "verify_identity" : "verify_ca"),
            heartbeatIntervalMs: cdc.heartbeatIntervalMs ?? 60000,
        },
        lake: {
            rawInfrequentAccessDays: lake.rawInfrequentAccessDays ?? 30,
            rawGlacierDays: lake.rawGlacierDays ?? (prod ? 180 : 90),
            rawExpirationDays: lake.rawExpirationDays ?? (prod ? undefined : 365),
            auditLockMode: lake.auditLockMode ?? (prod ? "COMPLIANCE" : "GOVERNANCE"),
            // A tier default only when neither unit is given, so a stack sets one unit explicitly.
            ...(lake.auditLockDays === undefined && lake.auditLockYears === undefined
                ? prod
                    ? { auditLockYears: 10 }
                    : { auditLockDays: 7 }
                : { auditLockDays: lake.auditLockDays, auditLockYears: lake.auditLockYears }),
            flushSize: lake.flushSize ?? (prod ? 10000 : 1000),
            rotateIntervalMs: lake.rotateIntervalMs ?? (prod ? 3_600_000 : 600_000),
            timeInterval: lake.timeInterval ?? "HOURLY",
        },
        warehouse: {
            ...snowflakeAccount,
            region: warehouse.region,
            warehouseSize: warehouse.warehouseSize ?? (prod ? "SMALL" : "XSMALL"),
            autoSuspendSeconds: warehouse.autoSuspendSeconds ?? (prod ? 300 : 60),
            bufferFlushSeconds: warehouse.bufferFlushSeconds ?? (prod ? 30 : 10),
            dataRetentionDays: warehouse.dataRetentionDays ?? (prod ? 30 : 1),
        },
        monitoring: monitoring.config,
        ksqldb: {
            csu: ksqldb.csu ?? (prod ? 4 : 1),
            orderStuckSlaMinutes: ksqldb.orderStuckSlaMinutes ?? 240,
            useDetailedProcessingLog: ksqldb.useDetailedProcessingLog ?? !prod,
        },
    };

    problems.push(...crossFieldProblems(resolved));
    if (problems.length > 0) throw new ConfigError(problems, raw.stack);
    return resolved;
}

const SNOWFLAKE_IDENTIFIER = /^[A-Za-z][A-Za-z0-9_]{0,254}$/;

/** The Snowflake account lives in the provider's own namespace (`snowflake:`), as plain config. */
function snowflakeAccountConfig(raw: RawConfig, target: Target, problems: string[]): { organizationName: string; accountName: string } {
    const read = (name: string): string => {
        const fullKey = `snowflake:${name}`;
        const value = raw.values[fullKey];
        if (value === undefined) {
            if (target === "cloud") {
                problems.push(`${fullKey}: is required for target cloud (e.g. \`pulumi config set ${fullKey} <${name}>\`)`);
            }
            return "";
        }
        if (!SNOWFLAKE_IDENTIFIER.test(value)) {
            problems.push(`${fullKey}: must be a Snowflake identifier (letters, digits, _; got "${value}")`);
        }
        return value;
    };
    return { organizationName: read("organizationName"), accountName: read("accountName") };
}

/** The Snowflake region id of an AWS region: eu-central-1 -> AWS_EU_CENTRAL_1. */
export function snowflakeRegionOf(awsRegion: string): string {
    return `AWS_${awsRegion.toUpperCase().replace(/-/g, "_")}`;
}

/** Rules of the lake and warehouse sections. */
function sinkProblems(cfg: PlatformConfig): string[] {
    const problems: string[] = [];
    const { lake, warehouse } = cfg;
    const lakeKey = key("lake");
    if (lake.rawGlacierDays <= lake.rawInfrequentAccessDays) {
        problems.push(
            `${lakeKey}.rawGlacierDays: must be later than rawInfrequentAccessDays (${lake.rawInfrequentAccessDays}), got ${lake.rawGlacierDays}`,
        );
    }
    if (lake.rawExpirationDays !== undefined && lake.rawExpirationDays <= lake.rawGlacierDays) {
        problems.push(`${lakeKey}.rawExpirationDays: must be later than rawGlacierDays (${lake.rawGlacierDays}), got ${lake.rawExpirationDays}`);
    }
    if (lake.auditLockDays !== undefined && lake.auditLockYears !== undefined) {
        problems.push(`${lakeKey}.auditLockDays: set auditLockDays or auditLockYears, not both`);
    }
    const period = lake.auditLockYears ?? lake.auditLockDays;
    const unit = lake.auditLockYears !== undefined ? "auditLockYears" : "auditLockDays";
    if (period === 0) {
        problems.push(
            lake.auditLockMode === "COMPLIANCE"
                ? `${lakeKey}.${unit}: COMPLIANCE mode needs a retention of at least 1 (got 0); locked versions cannot be shortened later`
                : `${lakeKey}.${unit}: the audit archive needs a retention of at least 1 (got 0)`,
        );
    }
    if (cfg.tier === "prod") {
        if (lake.auditLockMode !== "COMPLIANCE") {
            problems.push(`${lakeKey}.auditLockMode: must be COMPLIANCE for tier prod (GOVERNANCE locks can be bypassed)`);
        }
        if (lake.auditLockYears === undefined) {
            problems.push(`${lakeKey}.auditLockYears: tier prod keeps the audit archive for years; set auditLockYears instead of auditLockDays`);
        }
    }
    if (warehouse.region && cfg.region && cfg.target === "cloud" && warehouse.region !== snowflakeRegionOf(cfg.region)) {
        problems.push(
            `${key("warehouse")}.region: the Snowflake account (${warehouse.region}) must be in the Kafka cluster's region ` +
                `${cfg.region} (${snowflakeRegionOf(cfg.region)}) so Snowpipe Streaming stays in-region`,
        );
    }
    return problems;
}

/** Rules that span keys or depend on the tier. */
function crossFieldProblems(cfg: PlatformConfig): string[] {
    const problems: string[] = sinkProblems(cfg);
    const { mysql, confluent, topics } = cfg;
    if (cfg.tier === "prod") {
        if (mysql.backupRetentionDays < 7) {
            problems.push(`${key("mysql")}.backupRetentionDays: must be at least 7 for tier prod (got ${mysql.backupRetentionDays})`);
        }
        if (!mysql.multiAz) problems.push(`${key("mysql")}.multiAz: must be true for tier prod`);
        if (mysql.seedData) {
            problems.push(`${key("mysql")}.seedData: sample rows must not be loaded into production sources (tier prod)`);
        }
        if (cfg.ksqldb.csu < 4) {
            problems.push(`${key("ksqldb")}.csu: must be at least 4 for tier prod; smaller ksqlDB clusters run without a standby (got ${cfg.ksqldb.csu})`);
        }
        if (cfg.ksqldb.useDetailedProcessingLog) {
            problems.push(`${key("ksqldb")}.useDetailedProcessingLog: must be false for tier prod; the processing log would copy GMP row data`);
        }
        if (confluent.clusterType === "basic") {
            problems.push(`${key("confluent")}.clusterType: basic has no SLA; use standard or dedicated for tier prod`);
        }
        if (mysql.network !== "privatelink") {
            problems.push(`${key("mysql")}.network: must be privatelink for tier prod (RDS not publicly accessible; connectors arrive over AWS Egress PrivateLink)`);
        }
        if (cfg.cdc.sslMode !== "verify_identity") {
            problems.push(`${key("cdc")}.sslMode: must be verify_identity for tier prod (got ${cfg.cdc.sslMode}); the connector checks the RDS host name`);
        }
    }
    if (mysql.network === "privatelink" && confluent.clusterType !== "dedicated") {
        problems.push(
            `${key("mysql")}.network: privatelink needs confluent.clusterType dedicated (Egress PrivateLink Endpoints are for dedicated clusters in a PrivateLink network; got ${confluent.clusterType})`,
        );
    }
    if (mysql.network === "privatelink" && cfg.target === "cloud" && mysql.deployerSecurityGroupIds.length === 0) {
        problems.push(
            `${key("mysql")}.deployerSecurityGroupIds: privatelink makes RDS, Kafka REST and ksqlDB private; list the security group of the in-VPC runner that runs pulumi`,
        );
    }
    for (const problem of databaseCidrProblems(mysql.operatorCidrs, mysql.maxCidrPrefix)) {
        problems.push(`${key("mysql")}.operatorCidrs: ${problem}; list the operator networks instead`);
    }
    if (mysql.maxAllocatedStorageGb < mysql.allocatedStorageGb) {
        problems.push(
            `${key("mysql")}.maxAllocatedStorageGb: must be at least allocatedStorageGb (${mysql.allocatedStorageGb}), got ${mysql.maxAllocatedStorageGb}`,
        );
    }
    if ((mysql.vpcId === undefined) !== (mysql.subnetIds === undefined)) {
        problems.push(`${key("mysql")}.vpcId: set vpcId and subnetIds together, or neither to use the default VPC`);
    }
    if (confluent.clusterType === "dedicated" && confluent.cku === undefined) {
        problems.push(`${key("confluent")}.cku: is required when clusterType is dedicated`);
    }
    if (confluent.clusterType !== "dedicated" && confluent.cku !== undefined) {
        problems.push(`${key("confluent")}.cku: only applies to clusterType dedicated (got ${confluent.clusterType})`);
    }
    if (confluent.clusterType === "dedicated" && confluent.availability === "MULTI_ZONE" && (confluent.cku ?? 0) < 2) {
        problems.push(`${key("confluent")}.cku: a MULTI_ZONE dedicated cluster needs at least 2 CKUs`);
    }
    if (confluent.clusterType === "basic" && confluent.availability === "MULTI_ZONE") {
        problems.push(`${key("confluent")}.availability: basic clusters are SINGLE_ZONE only`);
    }
    if (topics.auditRetentionDays * 24 < topics.retentionHours) {
        problems.push(
            `${key("topics")}.auditRetentionDays: audit topics must retain at least as long as CDC topics (retentionHours ${topics.retentionHours})`,
        );
    }
    return problems;
}

// `isConfigSecret` is exported by the SDK's runtime but missing from its typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** Reads the running stack's config from the engine and validates it. */
export function loadPlatformConfig(): PlatformConfig {
    const values = pulumi.runtime.allConfig();
    const secretKeys = new Set(Object.keys(values).filter((k) => runtimeConfig.isConfigSecret(k)));
    return parsePlatformConfig({
        project: pulumi.getProject(),
        stack: pulumi.getStack(),
        values,
        secretKeys,
    });
}
