// Entry point: validate the stack's config, then build the platform for its target.
import { DOMAINS, allTopics } from "./components/catalog";
import { loadPlatformConfig } from "./components/config";
import { CloudPlatform } from "./components/platform";
import { LocalPlatform } from "./local/localPlatform";

const config = loadPlatformConfig();

// target local: the Docker stack (local/); target cloud: AWS + Confluent Cloud + Snowflake.
const local = config.target === "local" ? new LocalPlatform("local", { config }) : undefined;
const platform = config.target === "cloud" ? new CloudPlatform("lifesci", { config }) : undefined;

export const localUrls = local?.urls;
export const localConnectors = local ? Object.fromEntries(Object.entries(local.connectors).map(([key, c]) => [key, c.id])) : undefined;
export const localBuckets = local?.buckets;
/** Secret: read by `npm run local:verify`; `pulumi stack output localCredentials --show-secrets` shows it. */
export const localCredentials = local?.credentials;

export const confluentEnvironmentId = platform?.streaming.environment.id;
export const kafkaClusterId = platform?.streaming.cluster.id;
export const kafkaBootstrapEndpoint = platform?.streaming.cluster.bootstrapEndpoint;
export const schemaRegistryEndpoint = platform?.streaming.schemaRegistry.restEndpoint;
export const mysqlEndpoint = platform?.mysql.address;
export const mysqlPort = platform?.mysql.port;
export const mysqlDatabases = DOMAINS.map((d) => d.database);
export const cdcConnectorIds = platform && Object.fromEntries(
    platform.cdcConnectors.map((c, i) => [DOMAINS[i].name, c.connector.id]),
);
export const topics = allTopics(config.confluent.topicPrefix).map((t) => t.name);
export const lakeRawBucket = platform?.lake.rawBucket.bucket;
export const lakeAuditBucket = platform?.lake.auditBucket.bucket;
export const lakeSinkRoleArn = platform?.lake.sinkRole.arn;
export const snowflakeDatabase = platform?.warehouse.database.name;
export const sinkConnectorIds = platform && Object.fromEntries([...platform.sinks.connectors].map(([sink, c]) => [sink, c.connector.id]));
export const mysqlInstanceId = platform?.mysql.instance.identifier;
export const grafanaDashboardUrls = (platform ?? local)?.monitoring?.dashboards.map((d) => d.url) ?? [];
export const ksqlDbClusterId = platform?.ksqldb.cluster.id;
export const ksqlDbEndpoint = platform?.ksqldb.cluster.restEndpoint;
export const ksqlDbAppStatements = platform?.ksqldb.statementCounts;
