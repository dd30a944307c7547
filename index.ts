// Entry point: validate the stack's config, then build the platform for its target.
import { DOMAINS, allTopics } from "./components/catalog";
import { loadPlatformConfig } from "./components/config";
import { CloudPlatform } from "./components/platform";

const config = loadPlatformConfig();

if (config.target !== "cloud") {
    throw new Error(
        `lifesci-streaming:target is "${config.target}", but the Docker stack (local/) is not built yet; ` +
            "use a cloud stack (dev, prod) until the local-stack issue lands",
    );
}

const platform = new CloudPlatform("lifesci", { config });

export const confluentEnvironmentId = platform.streaming.environment.id;
export const kafkaClusterId = platform.streaming.cluster.id;
export const kafkaBootstrapEndpoint = platform.streaming.cluster.bootstrapEndpoint;
export const schemaRegistryEndpoint = platform.streaming.schemaRegistry.restEndpoint;
export const mysqlEndpoint = platform.mysql.address;
export const mysqlPort = platform.mysql.port;
export const mysqlDatabases = DOMAINS.map((d) => d.database);
export const cdcConnectorIds = Object.fromEntries(
    platform.cdcConnectors.map((c, i) => [DOMAINS[i].name, c.connector.id]),
);
export const topics = allTopics(config.confluent.topicPrefix).map((t) => t.name);
export const lakeRawBucket = platform.lake.rawBucket.bucket;
export const lakeAuditBucket = platform.lake.auditBucket.bucket;
export const lakeSinkRoleArn = platform.lake.sinkRole.arn;
export const snowflakeDatabase = platform.warehouse.database.name;
export const sinkConnectorIds = Object.fromEntries([...platform.sinks.connectors].map(([sink, c]) => [sink, c.connector.id]));
export const mysqlInstanceId = platform.mysql.instance.identifier;
export const grafanaDashboardUrls = platform.monitoring?.dashboards.map((d) => d.url) ?? [];
export const ksqlDbClusterId = platform.ksqldb.cluster.id;
export const ksqlDbEndpoint = platform.ksqldb.cluster.restEndpoint;
export const ksqlDbAppStatements = platform.ksqldb.statementCounts;
