// The four managed sink connectors, built from the catalog's sink declarations: raw CDC topics
// and the audit topic to S3, curated topics and chosen CDC tables to Snowflake.
import * as pulumi from "@pulumi/pulumi";
import {
    SinkName,
    WAREHOUSE_TABLES,
    WarehouseTable,
    auditArchiveTopics,
    dlqTopicName,
    rawLakeTopics,
    warehouseSchemaKind,
    warehouseTopic,
} from "../catalog";
import { LakeConfig, WarehouseConfig } from "../config";
import { SinkConnector, s3SinkConfig, sinkConnectorName, snowflakeAccountUrl, snowflakeInputFormat, snowflakeInputKeyFormat, snowflakeSinkConfig } from "./sinkConnectors";
import { AUDIT_TOPICS_DIR, Lake, RAW_TOPICS_DIR } from "./lake";
import { Streaming } from "../streaming";
import { WAREHOUSE_SCHEMAS, Warehouse } from "./warehouse";

export interface SinksArgs {
    namePrefix: string;
    basePrefix: string;
    region: string;
    lakeConfig: LakeConfig;
    warehouseConfig: WarehouseConfig;
    streaming: Streaming;
    lake: Lake;
    warehouse: Warehouse;
}

export class Sinks extends pulumi.ComponentResource {
    readonly connectors: Map<SinkName, SinkConnector>;

    constructor(name: string, args: SinksArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:sinks:Sinks", name, {}, opts);
        const { streaming, lake, warehouse, basePrefix } = args;
        this.connectors = new Map();

        const topicResources = (topics: readonly string[]) =>
            topics.map((t) => {
                const resource = streaming.topics.get(t);
                if (!resource) throw new Error(`sink topic ${t} is not created by the streaming component; declare it in the catalog`);
                return resource;
            });

        const add = (sink: SinkName, description: string, topics: string[], build: (accountId: string, dlq: string) => pulumi.Output<Record<string, string>>, extra: {
            sensitive?: pulumi.Input<Record<string, pulumi.Input<string>>>;
            dependsOn: pulumi.Resource[];
            avroKeys?: boolean;
            jsonValues?: boolean;
        }) => {
            const dlq = dlqTopicName(basePrefix, sink);
            this.connectors.set(
                sink,
                new SinkConnector(
                    `sink-${sink}`,
                    {
                        displayName: `${args.namePrefix}-${sink}`,
                        description,
                        environmentId: streaming.environment.id,
                        cluster: streaming.cluster,
                        schemaRegistryCrn: streaming.schemaRegistry.resourceName,
                        topics,
                        dlqTopic: dlq,
                        avroKeys: extra.avroKeys,
                        jsonValues: extra.jsonValues,
                        config: (accountId) => build(accountId, dlq),
                        configSensitive: extra.sensitive,
                        dependsOn: [...topicResources([...topics, dlq]), ...extra.dependsOn],
                    },
                    { parent: this },
                ),
            );
        };

        const s3 = (sink: SinkName, topics: string[], bucket: Lake["rawBucket"], topicsDir: string, description: string, integration = lake.providerIntegration) =>
            add(
                sink,
                description,
                topics,
                (serviceAccountId, dlqTopic) =>
                    pulumi.all([bucket.bucket, integration.id, lake.kmsKey.arn]).apply(([bucketName, integrationId, keyArn]) =>
                        s3SinkConfig({
                            connectorName: sinkConnectorName(args.namePrefix, sink),
                            serviceAccountId,
                            topics,
                            dlqTopic,
                            bucket: bucketName,
                            region: args.region,
                            topicsDir,
                            providerIntegrationId: integrationId,
                            kmsKeyArn: keyArn,
                            flushSize: args.lakeConfig.flushSize,
                            rotateIntervalMs: args.lakeConfig.rotateIntervalMs,
                            timeInterval: args.lakeConfig.timeInterval,
                        }),
                    ),
                { dependsOn: lake.ready },
            );
        s3("s3-raw", rawLakeTopics(basePrefix), lake.rawBucket, RAW_TOPICS_DIR, "Raw CDC topics to the S3 data lake (Parquet)");
        // The audit sink writes to staging; S3 Replication fills the object-locked archive (lake.ts).
        // Its own integration and role: only it may write audit/ in staging (issue 22, item 8).
        s3(
            "s3-audit",
            auditArchiveTopics(basePrefix),
            lake.auditStagingBucket,
            AUDIT_TOPICS_DIR,
            "Audit trail topic to the audit staging bucket, replicated into the object-locked archive",
            lake.auditProviderIntegration,
        );

        const snowflakeSink = (sink: SinkName, kind: WarehouseTable["source"]["kind"], description: string) => {
            const tables: WarehouseTable[] = WAREHOUSE_TABLES.filter((t) => t.source.kind === kind);
            if (tables.length === 0) return;
            const routes = tables.map((t) => ({ topic: warehouseTopic(basePrefix, t), table: t.name }));
            add(
                sink,
                description,
                routes.map((r) => r.topic),
                (serviceAccountId, dlqTopic) =>
                    pulumi.output(
                        snowflakeSinkConfig({
                            connectorName: sinkConnectorName(args.namePrefix, sink),
                            serviceAccountId,
                            dlqTopic,
                            tables: routes,
                            accountUrl: snowflakeAccountUrl(args.warehouseConfig.organizationName, args.warehouseConfig.accountName),
                            user: warehouse.userName,
                            role: warehouse.roleName,
                            database: warehouse.databaseName,
                            schema: WAREHOUSE_SCHEMAS[warehouseSchemaKind(tables[0])],
                            bufferFlushSeconds: args.warehouseConfig.bufferFlushSeconds,
                            unwrapCdcEnvelope: kind === "cdc",
                            inputFormat: snowflakeInputFormat(kind),
                        }),
                    ),
                {
                    sensitive: { "snowflake.private.key": warehouse.connectorPrivateKey },
                    avroKeys: snowflakeInputKeyFormat(kind === "cdc") === "AVRO",
                    jsonValues: kind === "streams",
                    dependsOn: [...warehouse.ready, ...tables.map((t) => warehouse.tables.get(t.name)!)],
                },
            );
        };
        snowflakeSink("snowflake-cdc", "cdc", "Current state of chosen CDC tables to Snowflake");
        snowflakeSink("snowflake-curated", "ksql", "ksqlDB outputs to Snowflake");
        snowflakeSink("snowflake-streams", "streams", "Kafka Streams outputs (JSON) to Snowflake");

        this.registerOutputs({});
    }
}
