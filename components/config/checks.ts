// Rules that span keys or depend on the tier: run on the resolved config, every problem names its key.
import { KSQL_APPS } from "../catalog";
import { databaseCidrProblems } from "./cidr";
import { networkProblems } from "./network";
import { ALLOW_REPLAY_ENV, PROD_COMPATIBILITY_LEVELS, PROJECT_NAMESPACE, PlatformConfig, fargateMemoryChoices } from "./schema";

const key = (name: string) => `${PROJECT_NAMESPACE}:${name}`;

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
    if (cfg.target === "cloud" && lake.breakGlassRoleArn === undefined) {
        problems.push(`${lakeKey}.breakGlassRoleArn: required: the IAM role that alone may delete, disable or re-police the audit archive's KMS key`);
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

/** Rules of the streams section: a Fargate size AWS offers, and room for the overdue check. */
function streamsProblems(cfg: PlatformConfig): string[] {
    const { streams } = cfg;
    const problems: string[] = [];
    const choices = fargateMemoryChoices(streams.cpu);
    if (choices.length > 0 && !choices.includes(streams.memoryMiB)) {
        problems.push(`${key("streams")}.memoryMiB: Fargate runs ${streams.cpu} CPU units with ${choices[0]}-${choices[choices.length - 1]} MiB (${choices.join(", ")}), got ${streams.memoryMiB}`);
    }
    if (cfg.tier === "prod" && streams.desiredCount < 2) {
        problems.push(`${key("streams")}.desiredCount: tier prod runs at least 2 tasks so a restart does not stop batch release decisions, got ${streams.desiredCount}`);
    }
    return problems;
}

/** Rules that span keys or depend on the tier. */
export function crossFieldProblems(cfg: PlatformConfig): string[] {
    const problems: string[] = [...sinkProblems(cfg), ...streamsProblems(cfg), ...networkProblems(cfg)];
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
        // A producer (the CDC connector) must never register a schema that cannot read every
        // earlier version: consumers replay retained and archived data.
        const sr = cfg.schemaRegistry;
        const levels: [string, string][] = [
            ["cdcCompatibility", sr.cdcCompatibility],
            ["ksqlCompatibility", sr.ksqlCompatibility],
            ...Object.entries(sr.overrides).map(([subject, level]): [string, string] => [`overrides["${subject}"]`, level]),
        ];
        for (const [name, level] of levels) {
            if (!(PROD_COMPATIBILITY_LEVELS as readonly string[]).includes(level)) {
                problems.push(`${key("schemaRegistry")}.${name}: must be ${PROD_COMPATIBILITY_LEVELS.join(" or ")} for tier prod (got ${level})`);
            }
        }
        if (confluent.clusterType === "basic") {
            problems.push(`${key("confluent")}.clusterType: basic has no SLA; use standard or dedicated for tier prod`);
        }
        if (mysql.network !== "privatelink" && cfg.target === "cloud") {
            problems.push(`${key("mysql")}.network: must be privatelink for tier prod (RDS not publicly accessible; connectors arrive over AWS Egress PrivateLink)`);
        }
        // Without both, the sources land in the account's default VPC, whose subnets are public.
        // Neither set: each is required by name (one set without the other: "set them together" below).
        const neither = mysql.vpcId === undefined && mysql.subnetIds === undefined;
        if (cfg.target === "cloud" && neither) {
            problems.push(`${key("mysql")}.vpcId: required for tier prod; the database must not land in the account's default VPC (set the VPC of its private subnets)`);
        }
        if (cfg.target === "cloud" && neither) {
            problems.push(`${key("mysql")}.subnetIds: required for tier prod; list at least 2 private subnets of mysql.vpcId in different availability zones`);
        }
        if (cfg.cdc.sslMode !== "verify_identity") {
            problems.push(`${key("cdc")}.sslMode: must be verify_identity for tier prod (got ${cfg.cdc.sslMode}); the connector checks the RDS host name`);
        }
    }
    if (mysql.network === "privatelink" && cfg.target === "cloud" && confluent.clusterType !== "dedicated") {
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

/** `ksqldb.allowReplay`: known apps only; in prod only with the same app(s) named by the deploy's environment. */
export function allowReplayProblems(cfg: PlatformConfig, env: Record<string, string | undefined>): string[] {
    const where = `${key("ksqldb")}.allowReplay`;
    const apps = KSQL_APPS.map((a) => a.name as string);
    const problems = cfg.ksqldb.allowReplay
        .filter((app) => !apps.includes(app))
        .map((app) => `${where}: unknown ksqlDB app "${app}"; apps are ${apps.join(", ")}`);
    if (cfg.tier === "prod") {
        const perDeploy = (env[ALLOW_REPLAY_ENV] ?? "").split(",").map((a) => a.trim()).filter(Boolean);
        for (const app of cfg.ksqldb.allowReplay.filter((a) => apps.includes(a) && !perDeploy.includes(a))) {
            problems.push(
                `${where}: tier prod refuses to replay history of "${app}" into alerts, the warehouse and the audit archive unless ` +
                    `this deploy also sets ${ALLOW_REPLAY_ENV}=${app}; remove the entry once the replay is done`,
            );
        }
    }
    return problems;
}
