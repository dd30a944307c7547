// The shape of the stack config: allowed values, one zod schema per section, and the resolved
// types derived from those schemas (a resolved section is its schema with every default filled).
import { z } from "zod";
import { isIsoDuration } from "../catalog";
import { networkCidrOf } from "./cidr";
import { MonitoringConfig } from "./monitoring";

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

// Breadth (a limit per CIDR, never the internet together) is checked on the whole list in checks.ts.
const cidr = z
    .string()
    .refine(isIpv4Cidr, { message: "must be an IPv4 CIDR such as 10.20.0.0/16", abort: true })
    .refine((value) => networkCidrOf(value) === value.trim(), {
        error: (issue) => {
            const value = String(issue.input);
            const host = value.split("/")[0];
            return `${value} has host bits set: its network address is ${networkCidrOf(value)}; write that, or ${host}/32 for the one host`;
        },
    });

const positiveInt = (what: string) =>
    z.number({ error: `must be a number (${what})` }).int({ message: `must be a whole number (${what})` });

export const mysqlSchema = z.strictObject({
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
    /** Security groups of the in-VPC runners that run `pulumi` (the SQL bootstrap connects from there). */
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

export const confluentSchema = z.strictObject({
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

export const topicsSchema = z.strictObject({
    partitions: positiveInt("partitions").min(1, { message: "must be at least 1" }).max(100).optional(),
    retentionHours: positiveInt("hours").min(1, { message: "must be positive" }).optional(),
    auditRetentionDays: positiveInt("days").min(1, { message: "must be positive" }).optional(),
});

export const cdcSchema = z.strictObject({
    snapshotMode: z.enum(SNAPSHOT_MODES).optional(),
    sslMode: z.enum(SSL_MODES).optional(),
    heartbeatIntervalMs: positiveInt("ms").min(0).optional(),
});

/**
 * Schema Registry compatibility levels, as SubjectConfig accepts them:
 * https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html#compatibility-types
 */
export const COMPATIBILITY_LEVELS = ["NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"] as const;
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];
/** Levels that check a new schema against every earlier version and keep old data readable (prod). */
export const PROD_COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = ["BACKWARD_TRANSITIVE", "FULL_TRANSITIVE"];

const compatibility = z.enum(COMPATIBILITY_LEVELS, { error: `must be one of ${COMPATIBILITY_LEVELS.join(", ")}` });

export const schemaRegistrySchema = z.strictObject({
    /** Level of every CDC key and value subject. */
    cdcCompatibility: compatibility.optional(),
    /** Level of every ksqlDB output value subject. */
    ksqlCompatibility: compatibility.optional(),
    /** Per-subject exceptions: full subject name -> level. */
    overrides: z.record(z.string(), compatibility).optional(),
});

export const OBJECT_LOCK_MODES = ["GOVERNANCE", "COMPLIANCE"] as const;
export const S3_TIME_INTERVALS = ["HOURLY", "DAILY"] as const;
export const WAREHOUSE_SIZES = ["XSMALL", "SMALL", "MEDIUM", "LARGE", "XLARGE", "XXLARGE"] as const;

export const lakeSchema = z.strictObject({
    rawInfrequentAccessDays: positiveInt("days").min(30, { message: "must be at least 30 (S3 minimum before STANDARD_IA)" }).optional(),
    rawGlacierDays: positiveInt("days").min(1, { message: "must be positive" }).optional(),
    rawExpirationDays: positiveInt("days").min(1, { message: "must be positive" }).optional(),
    auditLockMode: z.enum(OBJECT_LOCK_MODES, { error: `must be one of ${OBJECT_LOCK_MODES.join(", ")}` }).optional(),
    auditLockDays: positiveInt("days").min(0, { message: "must not be negative" }).optional(),
    auditLockYears: positiveInt("years").min(0, { message: "must not be negative" }).max(100).optional(),
    flushSize: positiveInt("records").min(1, { message: "must be at least 1" }).optional(),
    rotateIntervalMs: positiveInt("ms").min(60_000, { message: "must be at least 60000 (one minute)" }).max(86_400_000).optional(),
    timeInterval: z.enum(S3_TIME_INTERVALS).optional(),
    /**
     * The IAM role that alone may schedule deletion of, disable or re-police the audit archive's
     * KMS key (issue 22): a break-glass role outside day-to-day admin. Required for cloud stacks.
     */
    breakGlassRoleArn: z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, { message: "must be an IAM role ARN such as arn:aws:iam::123456789012:role/break-glass" }).optional(),
    /** IAM roles that archive evidence packs under evidence/ in the audit archive (the prod deploy role). */
    evidenceWriterArns: z.array(z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { message: "must be an IAM role ARN (arn:aws:iam::<account>:role/<name>)" })).optional(),
});

export const warehouseSchema = z.strictObject({
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

export const ksqldbSchema = z.strictObject({
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
    /**
     * Apps whose rebuilt queries may replay their inputs from the earliest offset into alerting,
     * archive and warehouse outputs; empty: a rebuild of such a query starts at the latest offset.
     */
    allowReplay: z.array(z.string(), { error: "must be a list of ksqlDB app names" }).optional(),
});

/**
 * Fargate task sizes: CPU units -> allowed memory (MiB).
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
export const FARGATE_TASK_SIZES: Readonly<Record<number, { min: number; max: number; step: number } | readonly number[]>> = {
    256: [512, 1024, 2048],
    512: { min: 1024, max: 4096, step: 1024 },
    1024: { min: 2048, max: 8192, step: 1024 },
    2048: { min: 4096, max: 16384, step: 1024 },
    4096: { min: 8192, max: 30720, step: 1024 },
    8192: { min: 16384, max: 61440, step: 4096 },
    16384: { min: 32768, max: 122880, step: 8192 },
};

/** Memory sizes (MiB) Fargate allows with `cpu` units; empty for a CPU value Fargate does not offer. */
export function fargateMemoryChoices(cpu: number): number[] {
    const sizes = FARGATE_TASK_SIZES[cpu];
    if (!sizes) return [];
    if (Array.isArray(sizes)) return [...sizes];
    const range = sizes as { min: number; max: number; step: number };
    const out: number[] = [];
    for (let m = range.min; m <= range.max; m += range.step) out.push(m);
    return out;
}

/**
 * Retention periods CloudWatch Logs accepts (days).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const isoDuration = z.string().refine(isIsoDuration, { message: "must be a positive ISO-8601 duration such as PT24H or PT1M" });

/** The Kafka Streams apps on ECS Fargate (components/streams): size and business settings. */
export const streamsSchema = z.strictObject({
    /** Running tasks of the service (Kafka Streams instances sharing the application.id). */
    desiredCount: positiveInt("tasks").min(1, { message: "must be at least 1" }).max(20).optional(),
    /** Fargate CPU units per task. */
    cpu: z
        .number({ error: "must be a number (CPU units)" })
        .refine((v) => FARGATE_TASK_SIZES[v] !== undefined, { message: `must be one of ${Object.keys(FARGATE_TASK_SIZES).join(", ")} (Fargate CPU units)` })
        .optional(),
    /** Memory per task (MiB); checked against cpu. */
    memoryMiB: positiveInt("MiB").min(512).optional(),
    /** How long after completion a batch that is not READY counts as overdue. */
    overdueAfter: isoDuration.optional(),
    /** How often the app looks for overdue batches. */
    overdueCheckInterval: isoDuration.optional(),
    logRetentionDays: z
        .number({ error: "must be a number (days)" })
        .refine((v) => (LOG_RETENTION_DAYS as readonly number[]).includes(v), { message: `must be one of ${LOG_RETENTION_DAYS.join(", ")} (CloudWatch Logs retention)` })
        .optional(),
});

/**
 * How the private subnets of the workloads (Kafka Streams tasks on Fargate, the RDS failover
 * re-targeting Lambda) reach the AWS APIs they call: `nat`, the operator's NAT gateway (or
 * endpoints the operator manages) carries them and the program creates nothing; `endpoints`, the
 * program creates the VPC endpoints they need (components/network).
 */
export const AWS_API_ACCESS_MODES = ["nat", "endpoints"] as const;
/**
 * Whether the private subnets route to the internet (through a NAT gateway): `nat` yes, `none`
 * no. Unset: `nat` with awsApiAccess nat, `none` with awsApiAccess endpoints.
 */
export const INTERNET_EGRESS_MODES = ["nat", "none"] as const;
export type AwsApiAccess = (typeof AWS_API_ACCESS_MODES)[number];
export type InternetEgress = (typeof INTERNET_EGRESS_MODES)[number];

/** The workloads' network path out of the private subnets (cloud stacks). */
export const networkSchema = z.strictObject({
    awsApiAccess: z.enum(AWS_API_ACCESS_MODES, { error: `must be one of ${AWS_API_ACCESS_MODES.join(", ")}` }).optional(),
    internetEgress: z.enum(INTERNET_EGRESS_MODES, { error: `must be one of ${INTERNET_EGRESS_MODES.join(", ")}` }).optional(),
    /**
     * Private subnets (of mysql.vpcId, or of the default VPC when it is unset) for the Kafka Streams
     * tasks and the AWS API endpoints; unset: mysql.subnetIds. Required while the database is
     * public (mysql.network public): its subnets route to an internet gateway.
     */
    workloadSubnetIds: z
        .array(z.string().regex(/^subnet-[0-9a-f]+$/, { message: "must be a subnet id such as subnet-0abc1234" }))
        .min(1, { message: "must list at least 1 private subnet" })
        .optional(),
});

/**
 * The per-deploy half of a prod replay allowance: the deploy's environment names the app(s)
 * too (comma-separated), so a replay in prod is one reviewed config change plus one deliberate run.
 */
export const ALLOW_REPLAY_ENV = "LIFESCI_KSQL_ALLOW_REPLAY";

/** A section after defaults: every key present, except the ones listed that may stay unset. */
type Resolved<Section, MayStayUnset extends keyof Section = never> = Required<Omit<Section, MayStayUnset>> & Pick<Section, MayStayUnset>;

export type MySqlSection = z.infer<typeof mysqlSchema>;
export type ConfluentSection = z.infer<typeof confluentSchema>;
export type TopicsSection = z.infer<typeof topicsSchema>;
export type CdcSection = z.infer<typeof cdcSchema>;
export type LakeSection = z.infer<typeof lakeSchema>;
export type WarehouseSection = z.infer<typeof warehouseSchema>;
export type KsqlDbSection = z.infer<typeof ksqldbSchema>;
export type SchemaRegistrySection = z.infer<typeof schemaRegistrySchema>;
export type StreamsSection = z.infer<typeof streamsSchema>;
export type NetworkSection = z.infer<typeof networkSchema>;

/**
 * `bootstrap`: run the SQL bootstrap (databases, DDL, CDC user, binlog retention) during `pulumi up`;
 * `seedData`: load sql/mysql/<domain>/seed.sql sample rows, never on production sources.
 */
export type MySqlConfig = Resolved<MySqlSection, "vpcId" | "subnetIds" | "caPem">;
export type ConfluentConfig = Resolved<ConfluentSection, "cku"> & { cloud: "AWS"; region: string };
export type TopicsConfig = Resolved<TopicsSection>;
export type CdcConfig = Resolved<CdcSection>;
/** Raw objects expire after `rawExpirationDays` (unset keeps them); exactly one of auditLockDays/Years is set. */
export type LakeConfig = Resolved<LakeSection, "rawExpirationDays" | "auditLockDays" | "auditLockYears" | "breakGlassRoleArn" | "evidenceWriterArns">;
/** `organizationName`/`accountName` come from the provider's own `snowflake:` namespace (not secrets). */
export type WarehouseConfig = Resolved<WarehouseSection, "region"> & { organizationName: string; accountName: string };
/** `orderStuckSlaMinutes`: an order longer in one status is stuck; `useDetailedProcessingLog`: off in prod (GMP rows). */
export type KsqlDbConfig = Resolved<KsqlDbSection>;
/** Compatibility per subject kind, and exceptions by subject name (components/streaming/schemaGovernance.ts). */
export type SchemaRegistryConfig = Resolved<SchemaRegistrySection>;
/** Per tier: ECS service size of each Kafka Streams app, overdue rule timing, log retention. */
export type StreamsConfig = Resolved<StreamsSection>;
/**
 * `awsApiAccess` stays unset only where the tier has no default (prod: the operator chooses, and a
 * missing choice is an error for target cloud); `internetEgress` unset follows awsApiAccess
 * (effectiveInternetEgress in network.ts).
 */
export type NetworkConfig = Resolved<NetworkSection, "awsApiAccess" | "internetEgress" | "workloadSubnetIds">;

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
    schemaRegistry: SchemaRegistryConfig;
    streams: StreamsConfig;
    network: NetworkConfig;
}
