// Composes the cloud platform from the catalog and the stack's config:
// RDS MySQL sources -> Confluent Cloud topics through one CDC connector per domain,
// then sink connectors to the S3 lake (raw + audit archive) and Snowflake.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { DOMAINS, STREAMS_APPS, WAREHOUSE_TABLES, allTopics } from "./catalog";
import { PlatformConfig, effectiveInternetEgress } from "./config";
import * as aws from "@pulumi/aws";
// In data-path order: source -> streaming -> ksql / streams -> sinks -> monitoring.
import { CdcConnectors, CdcTruststore, MySqlSource, sourceNetwork } from "./source";
import { SchemaGovernance, Streaming } from "./streaming";
import { assertWarehouseMatchesKsql, KsqlDb, loadCheckedKsqlApps } from "./ksql";
import { StreamsApps, StreamsTaskSecurityGroup } from "./streams";
import { AwsApiEndpoints, RETARGET_LAMBDA_AWS_APIS, STREAMS_TASK_AWS_APIS, WorkloadApiNeeds, awsApiAccessSummary, checkedWorkloadSubnets } from "./network";
import { AUDIT_REPLICATION_RULE_ID, Lake, sinkConnectorName, Sinks, Warehouse } from "./sinks";
import { GrafanaCloudMetrics, grafanaCredentialsFromConfig, Monitoring } from "./monitoring";

/**
 * Confluent's connector egress prefixes for the cluster's cloud and region (network `public`).
 * https://docs.confluent.io/cloud/current/networking/ip-ranges.html
 */
function connectorEgressCidrs(cloud: string, region: string, parent: pulumi.Resource): pulumi.Output<string[]> {
    const egress = confluent.getIpAddressesOutput(
        { filter: { clouds: [cloud], regions: [region], services: ["CONNECT"], addressTypes: ["EGRESS"] } },
        { parent },
    );
    return egress.ipAddresses.apply((ips) => ips.map((ip) => ip.ipPrefix));
}

/**
 * The CDC connectors' trust store (stack secrets `cdcTruststore`, `cdcTruststorePassword`): the
 * RDS CA bundle the connector verifies the server with. Unset, the connector relies on the CAs it
 * already trusts, which is listed as unverified in the README.
 */
function cdcTruststoreFromConfig(): CdcTruststore | undefined {
    const config = new pulumi.Config();
    const truststore = config.getSecret("cdcTruststore");
    const password = config.getSecret("cdcTruststorePassword");
    if (!truststore && !password) return undefined;
    if (!truststore || !password) {
        throw new Error("lifesci-streaming:cdcTruststore and lifesci-streaming:cdcTruststorePassword: set both (pulumi config set --secret ...) or neither");
    }
    return { truststore, password };
}

export interface CloudPlatformArgs {
    config: PlatformConfig;
}

export class CloudPlatform extends pulumi.ComponentResource {
    readonly streaming: Streaming;
    readonly mysql: MySqlSource;
    readonly cdcConnectors: CdcConnectors;
    readonly lake: Lake;
    readonly warehouse: Warehouse;
    readonly sinks: Sinks;
    readonly grafanaCloud?: GrafanaCloudMetrics;
    readonly monitoring?: Monitoring;
    readonly ksqldb: KsqlDb;
    readonly schemaGovernance: SchemaGovernance;
    readonly streamsApps: StreamsApps;
    /** network.awsApiAccess endpoints: the VPC endpoints of the AWS APIs the workloads call. */
    readonly awsApiEndpoints?: AwsApiEndpoints;
    /** What the stack says about the workloads' AWS API path (stack output `awsApiAccess`). */
    readonly awsApiAccess: ReturnType<typeof awsApiAccessSummary>;

    constructor(name: string, args: CloudPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:platform:CloudPlatform", name, {}, opts);
        const cfg = args.config;
        const basePrefix = cfg.confluent.topicPrefix;
        const tags = { project: cfg.project, stack: cfg.stack, tier: cfg.tier, "managed-by": "pulumi" };
        // The apps' contract with the catalog and the DDL is checked before anything is registered.
        const ksqlApps = loadCheckedKsqlApps({ topicPrefix: basePrefix, orderStuckSlaMinutes: cfg.ksqldb.orderStuckSlaMinutes });
        assertWarehouseMatchesKsql(ksqlApps, basePrefix);

        const privatelink = cfg.mysql.network === "privatelink";
        // prod: the VPC and private subnets from config, checked at preview (issue 22, item 11).
        const network = sourceNetwork(cfg.mysql, { parent: this }, cfg.tier === "prod");
        // The Streams tasks' security groups come first: prod's Kafka endpoint admits them by reference.
        const streamsSecurityGroups = new Map(
            STREAMS_APPS.map((app) => [
                app.name,
                new StreamsTaskSecurityGroup(`streams-${app.name.replace(/_/g, "-")}-sg`, { namePrefix: cfg.namePrefix, app, vpcId: network.vpcId, tags }, { parent: this }),
            ]),
        );
        this.streaming = new Streaming(
            "streaming",
            {
                namePrefix: cfg.namePrefix,
                config: cfg.confluent,
                topicsConfig: cfg.topics,
                topics: allTopics(basePrefix),
                protect: cfg.protect,
                // prod: the cluster's endpoints are private; the deploy runner reaches them through
                // an interface endpoint in the sources' VPC.
                privateNetwork: privatelink
                    ? {
                          awsAccountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
                          vpcId: network.vpcId,
                          subnetIds: network.subnetIds,
                          clientSecurityGroupIds: cfg.mysql.deployerSecurityGroupIds,
                          workloadSecurityGroups: [...streamsSecurityGroups].map(([app, sg]) => ({ label: `Kafka Streams ${app} tasks`, id: sg.securityGroup.id })),
                          tags,
                      }
                    : undefined,
            },
            { parent: this },
        );

        this.mysql = new MySqlSource(
            "mysql",
            {
                namePrefix: cfg.namePrefix,
                config: cfg.mysql,
                domains: DOMAINS,
                network,
                ...(privatelink
                    ? { egressGateway: this.streaming.privateNetwork!.egress }
                    : { connectorEgressCidrs: connectorEgressCidrs(cfg.confluent.cloud, cfg.confluent.region, this) }),
                protect: cfg.protect,
                tags,
            },
            { parent: this },
        );
        // The workloads in the private subnets and the AWS APIs each calls (network.awsApiAccess).
        const retarget = this.mysql.privateLink?.retarget;
        const workloads: (WorkloadApiNeeds & { securityGroupId: pulumi.Input<string> })[] = [
            ...[...streamsSecurityGroups].map(([app, sg]) => ({ label: `Kafka Streams ${app} tasks`, services: STREAMS_TASK_AWS_APIS, securityGroupId: sg.securityGroup.id })),
            ...(retarget ? [{ label: "MySQL failover re-targeting Lambda", services: RETARGET_LAMBDA_AWS_APIS, securityGroupId: retarget.securityGroup.id }] : []),
        ];
        const awsApiAccess = cfg.network.awsApiAccess ?? "nat";
        // Where the tasks and the endpoints run: network.workloadSubnetIds, else the database's
        // subnets. Subnets from config are checked at preview: in the database's VPC, and with a
        // NAT as the way out, a default route through it.
        const explicitSubnets = cfg.network.workloadSubnetIds;
        const routeKey =
            effectiveInternetEgress(cfg.network) === "nat" && (explicitSubnets !== undefined || network.placement === "private-subnets")
                ? `lifesci-streaming:network.${cfg.network.internetEgress ? "internetEgress" : "awsApiAccess"}`
                : undefined;
        const workloadSubnetIds =
            explicitSubnets !== undefined || routeKey !== undefined
                ? checkedWorkloadSubnets(
                      {
                          subnetIds: explicitSubnets ?? network.subnetIds,
                          subnetsKey: explicitSubnets ? "network.workloadSubnetIds" : "mysql.subnetIds",
                          vpcId: explicitSubnets ? network.vpcId : undefined,
                          routeKey,
                      },
                      { parent: this },
                  )
                : network.subnetIds;
        this.awsApiAccess = awsApiAccessSummary(awsApiAccess, workloads);
        if (awsApiAccess === "endpoints") {
            this.awsApiEndpoints = new AwsApiEndpoints(
                "aws-api-endpoints",
                {
                    namePrefix: cfg.namePrefix,
                    region: cfg.region,
                    accountId: aws.getCallerIdentityOutput({}, { parent: this }).accountId,
                    vpcId: network.vpcId,
                    subnetIds: workloadSubnetIds,
                    workloads,
                    // Private DNS sends the in-VPC deploy runners' AWS calls here too.
                    otherClients: cfg.mysql.deployerSecurityGroupIds.map((id, i) => ({ label: `deploy runner ${i + 1}`, securityGroupId: id })),
                    tags,
                },
                { parent: this },
            );
        }
        const truststore = cdcTruststoreFromConfig();

        // Compatibility per CDC and ksqlDB subject, in force before the first schema is registered
        // (the connectors wait for it).
        this.schemaGovernance = new SchemaGovernance(
            "schema-governance",
            {
                namePrefix: cfg.namePrefix,
                basePrefix,
                environmentId: this.streaming.environment.id,
                schemaRegistry: this.streaming.schemaRegistry,
                compatibility: cfg.schemaRegistry,
                protect: cfg.protect,
            },
            { parent: this },
        );

        this.cdcConnectors = new CdcConnectors(
            "cdc",
            {
                namePrefix: cfg.namePrefix,
                domains: DOMAINS,
                basePrefix,
                environmentId: this.streaming.environment.id,
                cluster: this.streaming.cluster,
                schemaRegistryCrn: this.streaming.schemaRegistry.resourceName,
                hostname: this.mysql.address,
                port: this.mysql.port,
                user: this.mysql.cdcUsername,
                password: this.mysql.cdcPassword,
                cdc: cfg.cdc,
                truststore,
                // Its CDC topics, schema history and heartbeat topic: every topic of the domain.
                topicsOf: (domain) =>
                    allTopics(basePrefix)
                        .filter((t) => t.domain === domain.name)
                        .map((t) => this.streaming.topics.get(t.name)!),
                // The CDC user (bootstrap), the PrivateLink DNS record and the subjects' compatibility exist before the first event.
                sourceReady: [...this.mysql.connectorReady, this.schemaGovernance],
                // Backfill of added tables: signals are written as the CDC user (INSERT, DELETE on the
                // signal table is all it needs; issue 22, item 13), over the path and TLS verification
                // the bootstrap uses, which created that user; the master password stays in the bootstrap.
                signalWriter: this.mysql.bootstrap
                    ? {
                          host: this.mysql.address,
                          port: this.mysql.port,
                          user: this.mysql.cdcUsername,
                          password: this.mysql.cdcPassword,
                          tls: "verify_identity",
                          caPem: cfg.mysql.caPem,
                      }
                    : undefined,
            },
            { parent: this },
        );


        this.ksqldb = new KsqlDb(
            "ksqldb",
            {
                namePrefix: cfg.namePrefix,
                basePrefix,
                config: cfg.ksqldb,
                topicsConfig: cfg.topics,
                environmentId: this.streaming.environment.id,
                cluster: this.streaming.cluster,
                schemaRegistryCrn: this.streaming.schemaRegistry.resourceName,
                apps: ksqlApps,
                topics: this.streaming.topics,
                protect: cfg.protect,
            },
            { parent: this },
        );
        this.streamsApps = new StreamsApps(
            "streams",
            {
                namePrefix: cfg.namePrefix,
                basePrefix,
                config: cfg.streams,
                topicsConfig: cfg.topics,
                region: cfg.region,
                // The platform's subnets, as for RDS; tasks get no public IP.
                subnetIds: workloadSubnetIds,
                securityGroups: streamsSecurityGroups,
                kafka: {
                    environmentId: this.streaming.environment.id,
                    cluster: this.streaming.cluster,
                    schemaRegistry: this.streaming.schemaRegistry,
                    topics: this.streaming.topics,
                    privateEndpointSecurityGroupId: this.streaming.privateNetwork?.endpointSecurityGroup.id,
                    ready: this.streaming.privateNetwork?.ready ?? [],
                },
                // The tasks start only once they can pull the image, read the secret and write
                // logs (the endpoints, when the program provides them).
                awsApiReady: this.awsApiEndpoints ? [this.awsApiEndpoints] : [],
                protect: cfg.protect,
                tags,
            },
            { parent: this },
        );
        this.lake = new Lake(
            "lake",
            {
                namePrefix: cfg.namePrefix,
                config: cfg.lake,
                region: cfg.region,
                environmentId: this.streaming.environment.id,
                protect: cfg.protect,
                tags,
            },
            { parent: this },
        );
        this.warehouse = new Warehouse(
            "warehouse",
            { namePrefix: cfg.namePrefix, config: cfg.warehouse, tables: WAREHOUSE_TABLES, protect: cfg.protect },
            { parent: this },
        );
        this.sinks = new Sinks(
            "sinks",
            {
                namePrefix: cfg.namePrefix,
                basePrefix,
                region: cfg.region,
                lakeConfig: cfg.lake,
                warehouseConfig: cfg.warehouse,
                streaming: this.streaming,
                lake: this.lake,
                warehouse: this.warehouse,
            },
            { parent: this },
        );
        if (cfg.monitoring.enabled) {
            const connectors = [
                ...[...this.cdcConnectors.byDomain].map(([domain, c]) => ({
                    name: c.connectorName,
                    id: c.connector.id,
                    kind: "source" as const,
                    domain,
                })),
                ...[...this.sinks.connectors].map(([sink, c]) => ({
                    name: sinkConnectorName(cfg.namePrefix, sink),
                    id: c.connector.id,
                    kind: "sink" as const,
                })),
            ];
            this.grafanaCloud = new GrafanaCloudMetrics(
                "grafana-cloud",
                {
                    namePrefix: cfg.namePrefix,
                    config: cfg.monitoring,
                    credentials: grafanaCredentialsFromConfig(),
                    awsRegion: cfg.region,
                    environment: this.streaming.environment,
                    kafkaClusterId: this.streaming.cluster.id,
                    schemaRegistryId: this.streaming.schemaRegistry.id,
                    connectorIds: connectors.map((c) => c.id),
                    ksqlClusterIds: [this.ksqldb.cluster.id],
                    cloudwatchDiscoveryTags: { project: cfg.project, stack: cfg.stack },
                    tags,
                },
                { parent: this },
            );
            this.monitoring = new Monitoring(
                "monitoring",
                {
                    namePrefix: cfg.namePrefix,
                    provider: this.grafanaCloud.provider,
                    dataSourceUid: this.grafanaCloud.dataSourceUid,
                    metricsSource: "confluent-cloud",
                    config: cfg.monitoring,
                    webhookUrl: new pulumi.Config().getSecret("alertWebhookUrl"),
                    estate: {
                        basePrefix,
                        kafkaClusterId: this.streaming.cluster.id,
                        connectors,
                        ksqlClusterIds: [this.ksqldb.cluster.id],
                        rdsInstanceIds: [this.mysql.instance.identifier],
                        s3Replications: [
                            {
                                sourceBucket: this.lake.auditStagingBucket.bucket,
                                destinationBucket: this.lake.auditBucket.bucket,
                                ruleId: AUDIT_REPLICATION_RULE_ID,
                            },
                        ],
                        // prod: the PrivateLink NLB in front of RDS (issue 22, item 5).
                        nlbTargetGroups: this.mysql.privateLink
                            ? [{ targetGroup: this.mysql.privateLink.targetGroup.arnSuffix, loadBalancer: this.mysql.privateLink.loadBalancer.arnSuffix }]
                            : [],
                    },
                },
                { parent: this },
            );
        }

        this.registerOutputs({});
    }
}
