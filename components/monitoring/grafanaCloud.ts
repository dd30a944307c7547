// Metrics into Grafana Cloud: Confluent Cloud's Prometheus export scraped by a Metrics Endpoint
// scrape job (with a MetricsViewer Cloud API key), RDS CloudWatch metrics by a CloudWatch scrape
// job (through an IAM role Grafana Cloud assumes), and the Grafana providers and Prometheus data
// source the Monitoring component is aimed at.
import * as aws from "@pulumi/aws";
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import * as grafana from "@pulumiverse/grafana";
import { MonitoringConfig } from "../config";
import { WorkloadIdentity } from "../streaming";
import { streamsCustomNamespace } from "./streamsMetrics";

export const CONFLUENT_METRICS_EXPORT_URL = "https://api.telemetry.confluent.cloud/v2/metrics/cloud/export";

export interface ExportedResources {
    kafka: readonly string[];
    connector: readonly string[];
    ksql: readonly string[];
    schemaRegistry: readonly string[];
}

const EXPORT_PARAMETERS: Record<keyof ExportedResources, string> = {
    kafka: "resource.kafka.id",
    connector: "resource.connector.id",
    ksql: "resource.ksql.id",
    schemaRegistry: "resource.schema_registry.id",
};

/** The export URL for these resources: one query parameter per id, repeated per resource type. */
export function confluentExportUrl(resources: ExportedResources): string {
    const params: string[] = [];
    for (const kind of Object.keys(EXPORT_PARAMETERS) as (keyof ExportedResources)[]) {
        for (const id of resources[kind]) {
            if (!/^[a-z]+-[a-z0-9]+$/i.test(id)) throw new Error(`${EXPORT_PARAMETERS[kind]}: "${id}" is not a Confluent resource id`);
            params.push(`${EXPORT_PARAMETERS[kind]}=${encodeURIComponent(id)}`);
        }
    }
    if (params.length === 0) throw new Error("the Confluent metrics export needs at least one resource id");
    return `${CONFLUENT_METRICS_EXPORT_URL}?${params.join("&")}`;
}

/**
 * Grafana Cloud's AWS account that assumes customer roles for CloudWatch scraping, per Grafana's
 * "Configure AWS monitoring with Terraform" guide; the external id is the stack's Prometheus user id.
 */
export const GRAFANA_CLOUD_AWS_ACCOUNT_ID = "008923505280";

export function cloudwatchTrustPolicy(externalId: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { AWS: `arn:aws:iam::${GRAFANA_CLOUD_AWS_ACCOUNT_ID}:root` },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "sts:ExternalId": externalId } },
            },
        ],
    });
}

/** Read-only: CloudWatch metrics and the tags used to discover the RDS instances. */
export function cloudwatchReadPolicy(): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Action: ["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "tag:GetResources"],
                Resource: "*",
            },
        ],
    });
}

/** RDS metrics the CloudWatch scrape job collects (CloudWatch names, not PromQL names). */
export const RDS_CLOUDWATCH_METRICS = ["CPUUtilization", "FreeStorageSpace", "BinLogDiskUsage", "DatabaseConnections"] as const;

/**
 * S3 Replication metrics of the audit archive's replication rule (emitted because the rule enables
 * replication metrics; https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-metrics.html).
 */
export const S3_REPLICATION_CLOUDWATCH_METRICS = [
    { name: "OperationsFailedReplication", statistics: ["Sum"] },
    { name: "OperationsPendingReplication", statistics: ["Maximum"] },
    { name: "ReplicationLatency", statistics: ["Maximum"] },
] as const;

/** NLB target health of the PrivateLink path (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html). */
export const NLB_CLOUDWATCH_METRICS = ["UnHealthyHostCount", "HealthyHostCount"] as const;

/** Grafana credentials: secrets from config, or the provider's environment variables when unset. */
export interface GrafanaCredentials {
    /** `grafana:url`: overrides the stack URL (e.g. a custom domain). */
    url?: string;
    /** `grafana:auth`: service account token of the Grafana stack. */
    auth?: pulumi.Output<string>;
    /** `grafana:cloudAccessPolicyToken`: reads the stack, manages scrape jobs (stacks:read, integration-management:read/write). */
    cloudAccessPolicyToken?: pulumi.Output<string>;
}

export function grafanaCredentialsFromConfig(): GrafanaCredentials {
    const config = new pulumi.Config("grafana");
    return { url: config.get("url"), auth: config.getSecret("auth"), cloudAccessPolicyToken: config.getSecret("cloudAccessPolicyToken") };
}

export interface GrafanaCloudMetricsArgs {
    namePrefix: string;
    config: MonitoringConfig;
    credentials: GrafanaCredentials;
    awsRegion: string;
    environment: confluent.Environment;
    kafkaClusterId: pulumi.Input<string>;
    schemaRegistryId: pulumi.Input<string>;
    connectorIds: pulumi.Input<string>[];
    ksqlClusterIds: pulumi.Input<string>[];
    /** Tags that identify this stack's RDS instances and lake buckets for CloudWatch discovery. */
    cloudwatchDiscoveryTags: Record<string, string>;
    tags: Record<string, string>;
}

export class GrafanaCloudMetrics extends pulumi.ComponentResource {
    /** Provider for the Grafana stack: dashboards, alerting, scrape jobs. */
    readonly provider: grafana.Provider;
    readonly stack: pulumi.Output<grafana.cloud.GetStackResult>;
    readonly dataSourceUid: pulumi.Output<string>;
    readonly metricsViewer: WorkloadIdentity;
    readonly metricsApiKey: confluent.ApiKey;
    readonly confluentScrapeJob: grafana.connections.MetricsEndpointScrapeJob;
    readonly cloudwatchRole: aws.iam.Role;
    readonly cloudwatchScrapeJob: grafana.cloudprovider.AwsCloudwatchScrapeJob;

    constructor(name: string, args: GrafanaCloudMetricsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:monitoring:GrafanaCloudMetrics", name, {}, opts);
        const { namePrefix, config, credentials } = args;
        const slug = config.grafanaStackSlug;
        if (!slug) throw new Error("lifesci-streaming:monitoring.grafanaStackSlug: is required for Grafana Cloud");
        const token = credentials.cloudAccessPolicyToken;

        // The stack's URLs come from Grafana Cloud's API, which only needs the access policy token.
        const cloudProvider = new grafana.Provider(`${name}-cloud-api`, { cloudAccessPolicyToken: token }, { parent: this });
        this.stack = grafana.cloud.getStackOutput({ slug }, { parent: this, provider: cloudProvider });
        this.provider = new grafana.Provider(
            `${name}-stack`,
            {
                url: credentials.url ?? this.stack.url,
                auth: credentials.auth,
                cloudAccessPolicyToken: token,
                connectionsApiUrl: this.stack.connectionsApiUrl,
                connectionsApiAccessToken: token,
                cloudProviderUrl: this.stack.cloudProviderUrl,
                cloudProviderAccessToken: token,
            },
            { parent: this },
        );
        // Grafana Cloud provisions this Prometheus data source with every stack.
        this.dataSourceUid = grafana.oss.getDataSourceOutput({ name: `grafanacloud-${slug}-prom` }, { parent: this, provider: this.provider }).uid;

        // Confluent: a MetricsViewer account whose Cloud API key (no managed resource) reads the export.
        this.metricsViewer = new WorkloadIdentity(
            `${name}-metrics-viewer`,
            {
                displayName: `${namePrefix}-metrics-viewer`,
                description: "Reads the Confluent Cloud metrics export for Grafana Cloud",
                grants: [{ label: "metrics-viewer", role: "MetricsViewer", crnPattern: args.environment.resourceName }],
            },
            { parent: this },
        );
        this.metricsApiKey = new confluent.ApiKey(
            `${name}-metrics-key`,
            {
                displayName: `${namePrefix}-metrics-viewer`,
                description: "Cloud API key for the metrics export (Grafana Cloud scrape job)",
                owner: {
                    id: this.metricsViewer.serviceAccount.id,
                    apiVersion: this.metricsViewer.serviceAccount.apiVersion,
                    kind: this.metricsViewer.serviceAccount.kind,
                },
            },
            { parent: this, dependsOn: this.metricsViewer.roleBindings },
        );

        const exportUrl = pulumi
            .all([
                pulumi.all([args.kafkaClusterId]),
                pulumi.all(args.connectorIds),
                pulumi.all(args.ksqlClusterIds),
                pulumi.all([args.schemaRegistryId]),
            ])
            .apply(([kafka, connector, ksql, schemaRegistry]) => confluentExportUrl({ kafka, connector, ksql, schemaRegistry }));
        this.confluentScrapeJob = new grafana.connections.MetricsEndpointScrapeJob(
            `${name}-confluent`,
            {
                stackId: this.stack.id,
                name: `${namePrefix}-confluent-cloud`,
                enabled: true,
                url: exportUrl,
                scrapeIntervalSeconds: config.scrapeIntervalSeconds,
                authenticationMethod: "basic",
                authenticationBasicUsername: this.metricsApiKey.id,
                authenticationBasicPassword: pulumi.secret(this.metricsApiKey.secret),
            },
            { parent: this, provider: this.provider },
        );

        // AWS: a read-only role Grafana Cloud assumes to read CloudWatch.
        this.cloudwatchRole = new aws.iam.Role(
            `${name}-cloudwatch-role`,
            {
                name: `${namePrefix}-grafana-cloudwatch`,
                description: "Assumed by Grafana Cloud to scrape CloudWatch metrics (RDS)",
                assumeRolePolicy: this.stack.prometheusUserId.apply((id) => cloudwatchTrustPolicy(String(id))),
                inlinePolicies: [{ name: "cloudwatch-read", policy: cloudwatchReadPolicy() }],
                tags: args.tags,
            },
            { parent: this },
        );
        const awsAccount = new grafana.cloudprovider.AwsAccount(
            `${name}-aws-account`,
            { stackId: this.stack.id, name: `${namePrefix}-aws`, roleArn: this.cloudwatchRole.arn, regions: [args.awsRegion] },
            { parent: this, provider: this.provider },
        );
        this.cloudwatchScrapeJob = new grafana.cloudprovider.AwsCloudwatchScrapeJob(
            `${name}-cloudwatch`,
            {
                stackId: this.stack.id,
                name: `${namePrefix}-rds`,
                awsAccountResourceId: awsAccount.resourceId,
                regionsSubsetOverrides: [args.awsRegion],
                exportTags: true,
                // The Kafka Streams apps' EMF metrics (batches by release status): a custom namespace
                // lists its metrics and statistics; no resource discovery, no tags
                // (https://www.pulumi.com/registry/packages/grafana/api-docs/cloudprovider/awscloudwatchscrapejob/).
                // The role's cloudwatch:GetMetricData/ListMetrics on "*" already covers it.
                customNamespaces: [streamsCustomNamespace(namePrefix, 300)],
                services: [
                    {
                        name: "AWS/RDS",
                        scrapeIntervalSeconds: 300,
                        metrics: RDS_CLOUDWATCH_METRICS.map((metric) => ({ name: metric, statistics: ["Average"] })),
                        resourceDiscoveryTagFilters: Object.entries(args.cloudwatchDiscoveryTags).map(([key, value]) => ({ key, value })),
                    },
                    {
                        // The lake buckets carry the same project/stack tags.
                        name: "AWS/S3",
                        scrapeIntervalSeconds: 300,
                        metrics: S3_REPLICATION_CLOUDWATCH_METRICS.map((m) => ({ name: m.name, statistics: [...m.statistics] })),
                        resourceDiscoveryTagFilters: Object.entries(args.cloudwatchDiscoveryTags).map(([key, value]) => ({ key, value })),
                    },
                    {
                        // The PrivateLink NLB (prod) carries the same tags (issue 22, item 5).
                        name: "AWS/NetworkELB",
                        scrapeIntervalSeconds: 300,
                        metrics: NLB_CLOUDWATCH_METRICS.map((metric) => ({ name: metric, statistics: ["Maximum"] })),
                        resourceDiscoveryTagFilters: Object.entries(args.cloudwatchDiscoveryTags).map(([key, value]) => ({ key, value })),
                    },
                ],
            },
            { parent: this, provider: this.provider },
        );

        this.registerOutputs({ grafanaUrl: this.stack.url, confluentScrapeJob: this.confluentScrapeJob.name });
    }
}
