// Tier defaults: what each section holds when the stack config leaves a key out, as one
// {dev, prod} table so the difference between the tiers reads side by side.
import { DEFAULT_MAX_CIDR_PREFIX } from "./cidr";
import { CdcConfig, ConfluentConfig, KsqlDbConfig, LakeConfig, MySqlConfig, NetworkConfig, SchemaRegistryConfig, StreamsConfig, Tier, TopicsConfig, WarehouseConfig } from "./schema";

export interface TierDefaults {
    mysql: Omit<MySqlConfig, "vpcId" | "subnetIds" | "caPem">;
    confluent: Omit<ConfluentConfig, "cloud" | "region" | "cku">;
    topics: TopicsConfig;
    cdc: CdcConfig;
    /** The audit lock default applies only when the stack sets neither auditLockDays nor auditLockYears. */
    lake: LakeConfig;
    warehouse: Omit<WarehouseConfig, "organizationName" | "accountName" | "region">;
    ksqldb: KsqlDbConfig;
    schemaRegistry: SchemaRegistryConfig;
    streams: StreamsConfig;
    network: NetworkConfig;
}

export const TIER_DEFAULTS: Record<Tier, TierDefaults> = {
    dev: {
        mysql: {
            engineVersion: "8.0",
            instanceClass: "db.t4g.medium",
            allocatedStorageGb: 50,
            maxAllocatedStorageGb: 100,
            backupRetentionDays: 1,
            binlogRetentionHours: 24,
            multiAz: false,
            // Standard cluster, connectors over the internet from Confluent's egress prefixes.
            network: "public",
            deployerSecurityGroupIds: [],
            maxCidrPrefix: DEFAULT_MAX_CIDR_PREFIX,
            operatorCidrs: [],
            bootstrap: true,
            seedData: false,
        },
        confluent: { clusterType: "standard", availability: "SINGLE_ZONE", streamGovernance: "ESSENTIALS", topicPrefix: "lifesci" },
        topics: { partitions: 3, retentionHours: 72, auditRetentionDays: 30 },
        // The connector checks the certificate chain (dev); prod also checks the host name.
        cdc: { snapshotMode: "initial", sslMode: "verify_ca", heartbeatIntervalMs: 60000 },
        lake: {
            rawInfrequentAccessDays: 30,
            rawGlacierDays: 90,
            rawExpirationDays: 365,
            auditLockMode: "GOVERNANCE",
            auditLockDays: 7,
            evidenceWriterArns: [],
            flushSize: 1000,
            rotateIntervalMs: 600_000,
            timeInterval: "HOURLY",
        },
        warehouse: { warehouseSize: "XSMALL", autoSuspendSeconds: 60, bufferFlushSeconds: 10, dataRetentionDays: 1 },
        ksqldb: { csu: 1, orderStuckSlaMinutes: 240, useDetailedProcessingLog: true, allowReplay: [] },
        // Dev may loosen single subjects (overrides); prod keeps every version readable by new readers.
        schemaRegistry: { cdcCompatibility: "BACKWARD", ksqlCompatibility: "BACKWARD", overrides: {} },
        // One small task: a restart only pauses the status until the state is restored.
        streams: { desiredCount: 1, cpu: 512, memoryMiB: 1024, overdueAfter: "PT24H", overdueCheckInterval: "PT1M", logRetentionDays: 14 },
        // Dev's Kafka Streams tasks reach Confluent's public brokers, which needs the internet
        // anyway: nat is the only choice that can work there.
        network: { awsApiAccess: "nat" },
    },
    prod: {
        mysql: {
            engineVersion: "8.0",
            instanceClass: "db.r6g.large",
            allocatedStorageGb: 200,
            maxAllocatedStorageGb: 1000,
            backupRetentionDays: 7,
            binlogRetentionHours: 168,
            multiAz: true,
            // RDS not publicly accessible; connectors over AWS Egress PrivateLink (dedicated cluster).
            network: "privatelink",
            deployerSecurityGroupIds: [],
            maxCidrPrefix: DEFAULT_MAX_CIDR_PREFIX,
            operatorCidrs: [],
            bootstrap: true,
            seedData: false,
        },
        // Dedicated: the only cluster type with AWS Egress PrivateLink (mysql.network privatelink) and ksqlDB.
        confluent: { clusterType: "dedicated", availability: "MULTI_ZONE", streamGovernance: "ADVANCED", topicPrefix: "lifesci" },
        topics: { partitions: 6, retentionHours: 168, auditRetentionDays: 365 },
        cdc: { snapshotMode: "initial", sslMode: "verify_identity", heartbeatIntervalMs: 60000 },
        lake: {
            rawInfrequentAccessDays: 30,
            rawGlacierDays: 180,
            // Raw objects are kept in prod.
            rawExpirationDays: undefined,
            auditLockMode: "COMPLIANCE",
            auditLockYears: 10,
            // The prod deploy role's ARN: set it in the stack file (README "Evidence packs").
            evidenceWriterArns: [],
            flushSize: 10000,
            rotateIntervalMs: 3_600_000,
            timeInterval: "HOURLY",
        },
        warehouse: { warehouseSize: "SMALL", autoSuspendSeconds: 300, bufferFlushSeconds: 30, dataRetentionDays: 30 },
        ksqldb: { csu: 4, orderStuckSlaMinutes: 240, useDetailedProcessingLog: false, allowReplay: [] },
        // Dev may loosen single subjects (overrides); prod keeps every version readable by new readers.
        schemaRegistry: { cdcCompatibility: "BACKWARD_TRANSITIVE", ksqlCompatibility: "BACKWARD_TRANSITIVE", overrides: {} },
        // Two tasks share the partitions, so one can take over while the other restarts (and
        // RocksDB gets room); logs are kept a year with the rest of the GMP record.
        streams: { desiredCount: 2, cpu: 1024, memoryMiB: 2048, overdueAfter: "PT24H", overdueCheckInterval: "PT1M", logRetentionDays: 365 },
        // No default: whether the prod VPC has a NAT gateway is the operator's fact, and the
        // choice decides what leaves the VPC and what it costs (network.awsApiAccess is required).
        network: {},
    },
};

/** The defaults overlaid with every key the stack set (a key set to undefined keeps its default). */
export function withDefaults<D extends object, S extends object>(defaults: D, section: S): D & S {
    const merged = { ...defaults } as Record<string, unknown>;
    for (const [name, value] of Object.entries(section)) if (value !== undefined) merged[name] = value;
    return merged as D & S;
}
