// Entry point: validate the stack's config, then build the platform for its target and export
// what an operator needs. Only the target's own outputs are exported (no undefined outputs).
import { DOMAINS, allTopics } from "./components/catalog";
import { PlatformConfig, loadPlatformConfig } from "./components/config";
// Types only: each target's modules (and the providers they load) are required when that target
// is built, so a cloud preview never loads the Docker stack and `npm run local` never loads AWS.
import type { CloudPlatform } from "./components/platform";
import type { LocalPlatform } from "./local/localPlatform";

type Outputs = Record<string, unknown>;

function common(config: PlatformConfig): Outputs {
    return {
        mysqlDatabases: DOMAINS.map((d) => d.database),
        topics: allTopics(config.confluent.topicPrefix).map((t) => t.name),
    };
}

/** target cloud: AWS + Confluent Cloud + Snowflake + Grafana Cloud. */
function cloudOutputs(config: PlatformConfig): Outputs {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CloudPlatform: Platform } = require("./components/platform") as { CloudPlatform: typeof CloudPlatform };
    const platform = new Platform("lifesci", { config });
    return {
        ...common(config),
        confluentEnvironmentId: platform.streaming.environment.id,
        kafkaClusterId: platform.streaming.cluster.id,
        kafkaBootstrapEndpoint: platform.streaming.cluster.bootstrapEndpoint,
        schemaRegistryEndpoint: platform.streaming.schemaRegistry.restEndpoint,
        mysqlEndpoint: platform.mysql.address,
        mysqlPort: platform.mysql.port,
        mysqlInstanceId: platform.mysql.instance.identifier,
        cdcConnectorIds: Object.fromEntries([...platform.cdcConnectors.byDomain].map(([domain, c]) => [domain, c.connector.id])),
        lakeRawBucket: platform.lake.rawBucket.bucket,
        lakeAuditBucket: platform.lake.auditBucket.bucket,
        lakeAuditStagingBucket: platform.lake.auditStagingBucket.bucket,
        lakeSinkRoleArn: platform.lake.sinkRole.arn,
        snowflakeDatabase: platform.warehouse.database.name,
        sinkConnectorIds: Object.fromEntries([...platform.sinks.connectors].map(([sink, c]) => [sink, c.connector.id])),
        grafanaDashboardUrls: platform.monitoring?.dashboards.map((d) => d.url) ?? [],
        ksqlDbClusterId: platform.ksqldb.cluster.id,
        ksqlDbEndpoint: platform.ksqldb.cluster.restEndpoint,
        ksqlDbAppStatements: platform.ksqldb.statementCounts,
        // After an update that rebuilt queries: where each started and the stop/start of any gap.
        ksqlDbLastRebuilds: platform.ksqldb.lastRebuilds,
        // Kafka Streams apps: ECS service and the image it runs, per catalog app.
        streamsServices: Object.fromEntries([...platform.streamsApps.apps].map(([app, d]) => [app, d.service.name])),
        streamsImages: Object.fromEntries([...platform.streamsApps.apps].map(([app, d]) => [app, d.image.ref])),
        // How the workloads' private subnets reach the AWS APIs: the endpoints created, or that none are (nat).
        awsApiAccess: { ...platform.awsApiAccess, endpointIds: Object.fromEntries([...(platform.awsApiEndpoints?.endpoints ?? [])].map(([s, e]) => [s, e.id])) },
    };
}

/** target local: the Docker stack (local/). */
function localOutputs(config: PlatformConfig): Outputs {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { LocalPlatform: Local } = require("./local/localPlatform") as { LocalPlatform: typeof LocalPlatform };
    const local = new Local("local", { config });
    return {
        ...common(config),
        localUrls: local.urls,
        localStreamsHealth: local.streamsApps.healthUrls,
        localConnectors: Object.fromEntries(Object.entries(local.connectors).map(([key, c]) => [key, c.id])),
        localBuckets: local.buckets,
        ksqlDbLastRebuilds: local.ksql.lastRebuilds,
        // Secret: read by `npm run local:verify`; `pulumi stack output localCredentials --show-secrets` shows it.
        localCredentials: local.credentials,
        grafanaDashboardUrls: local.monitoring?.dashboards.map((d) => d.url) ?? [],
    };
}

const config = loadPlatformConfig();
const outputs: Outputs = config.target === "local" ? localOutputs(config) : cloudOutputs(config);

export = outputs;
