// Kafka Streams apps on ECS Fargate, one service per catalog app: its image (image.ts), its own
// Confluent service account and API keys kept in Secrets Manager, a task that gets those keys as
// ECS `secrets`, logs in CloudWatch, and a security group whose egress is Kafka and HTTPS only.
//   Fargate networking (awsvpc, no public IP in private subnets; image pull, secrets and logs go
//   through the task's ENI, so the subnets need a NAT gateway or VPC endpoints):
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
//   Task execution role (ECR pull, awslogs, Secrets Manager for `secrets`):
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
//   Task IAM role (what the app itself may call; this app calls no AWS API):
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
//   Deployment circuit breaker: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
//   Service parameters (desired count, minimum/maximum healthy percent, networkConfiguration.assignPublicIp):
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service_definition_parameters.html
//   Task size, runtime platform, awsvpc: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
//   Secret deletion recovery window (7-30 days, or 0 = immediate): https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
//   Security group egress rules (VPC): https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html
//   Secrets Manager secret + version: https://docs.aws.amazon.com/secretsmanager/latest/userguide/create_secret.html
//   CloudWatch Logs retention: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention
//   Confluent API keys (Kafka cluster / Schema Registry scoped): https://docs.confluent.io/cloud/current/security/authenticate/workload-identities/service-accounts/api-keys/overview.html
import * as aws from "@pulumi/aws";
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { STREAMS_APPS, StreamsApp, StreamsSecretEnv, streamsAppEnvironment, streamsAppTopics } from "../catalog";
import { streamsCloudwatchNamespace } from "../monitoring/pure";
import { StreamsConfig, TopicsConfig } from "../config";
import { WorkloadIdentity } from "../streaming";
import { streamsAccess, streamsAppGrants } from "./grants";
import { StreamsImage } from "./image";
import { streamsContainerDefinitions } from "./taskDefinition";

/** The ports a Streams task talks to: Kafka (SASL_SSL) and HTTPS (Schema Registry, ECR, Secrets Manager, CloudWatch Logs). */
export const STREAMS_EGRESS_PORTS = { kafka: 9092, https: 443 } as const;

/** Physical name of an app's resources: `lifesci-dev-batch-release`. */
export function streamsResourceName(namePrefix: string, app: StreamsApp): string {
    return `${namePrefix}-${app.name.replace(/_/g, "-")}`;
}

/** The one secret's JSON: one key per secret variable, exactly the ones the task reads. */
export function streamsSecretJson(values: Record<StreamsSecretEnv, string>, names: readonly StreamsSecretEnv[]): string {
    const missing = names.filter((n) => !values[n]);
    if (missing.length > 0) throw new Error(`Kafka Streams secret: no value for ${missing.join(", ")}`);
    return JSON.stringify(Object.fromEntries(names.map((n) => [n, values[n]])));
}

/** IAM policy of the execution role: pull this image, write this log group, read this one secret. */
export function executionRolePolicy(repositoryArn: string, logGroupArn: string, secretArn: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [
            // GetAuthorizationToken has no resource-level permissions (ECR's IAM reference).
            { Sid: "EcrAuth", Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" },
            { Sid: "EcrPull", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: repositoryArn },
            { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
            { Sid: "AppSecret", Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: secretArn },
        ],
    });
}

/** Trust policy: only ECS tasks assume the roles. */
export const ECS_TASKS_TRUST_POLICY = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** The task's security group, created before the Confluent network so the private endpoint can admit it by reference. */
export class StreamsTaskSecurityGroup extends pulumi.ComponentResource {
    readonly securityGroup: aws.ec2.SecurityGroup;

    constructor(name: string, args: { namePrefix: string; app: StreamsApp; vpcId: pulumi.Input<string>; tags: Record<string, string> }, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streams:StreamsTaskSecurityGroup", name, {}, opts);
        // No inline rules: egress comes as separate rules once the Kafka endpoint is known, and
        // the provider removes AWS's default allow-all egress rule on create.
        this.securityGroup = new aws.ec2.SecurityGroup(
            name,
            {
                name: `${streamsResourceName(args.namePrefix, args.app)}-task`,
                description: `Kafka Streams app ${args.app.name} tasks: egress to Kafka and HTTPS only, no ingress`,
                vpcId: args.vpcId,
                tags: args.tags,
            },
            { parent: this },
        );
        this.registerOutputs({ securityGroupId: this.securityGroup.id });
    }
}

/** Where the platform's Kafka is, and how the app reaches it. */
export interface StreamsKafka {
    environmentId: pulumi.Input<string>;
    cluster: confluent.KafkaCluster;
    schemaRegistry: pulumi.Output<confluent.GetSchemaRegistryClusterResult>;
    /** Catalog topics by name (the app's inputs and outputs must be among them). */
    topics: Map<string, confluent.KafkaTopic>;
    /** prod: the PrivateLink endpoint's security group (Kafka egress by reference); dev: the public endpoints. */
    privateEndpointSecurityGroupId?: pulumi.Input<string>;
    /** What must exist before the app connects (private DNS, endpoint). */
    ready: pulumi.Resource[];
}

export interface StreamsAppDeploymentArgs {
    namePrefix: string;
    basePrefix: string;
    app: StreamsApp;
    config: StreamsConfig;
    topicsConfig: TopicsConfig;
    region: string;
    clusterArn: pulumi.Input<string>;
    subnetIds: pulumi.Input<string[]>;
    securityGroup: aws.ec2.SecurityGroup;
    kafka: StreamsKafka;
    /** What must exist before the tasks start: the VPC endpoints of the AWS APIs, when the program provides them (network.awsApiAccess). */
    awsApiReady?: pulumi.Resource[];
    protect: boolean;
    tags: Record<string, string>;
}

/** One Streams app: image, identity and keys, secret, log group, roles, task definition, service. */
export class StreamsAppDeployment extends pulumi.ComponentResource {
    readonly image: StreamsImage;
    readonly identity: WorkloadIdentity;
    readonly kafkaApiKey: confluent.ApiKey;
    readonly schemaRegistryApiKey: confluent.ApiKey;
    readonly secret: aws.secretsmanager.Secret;
    readonly logGroup: aws.cloudwatch.LogGroup;
    readonly executionRole: aws.iam.Role;
    readonly taskRole: aws.iam.Role;
    readonly taskDefinition: aws.ecs.TaskDefinition;
    readonly service: aws.ecs.Service;
    /** The plain environment the task runs with (catalog-built; no credentials). */
    readonly environment: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: StreamsAppDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streams:StreamsAppDeployment", name, {}, opts);
        const { app, kafka, tags } = args;
        const child = { parent: this };
        const physical = streamsResourceName(args.namePrefix, app);
        const valueFormat = "avro" as const;

        this.image = new StreamsImage(`${name}-image`, { namePrefix: args.namePrefix, app, protect: args.protect, tags }, child);

        // Its own service account: read inputs, write outputs, own what Kafka Streams creates under its application.id.
        const access = streamsAccess(args.basePrefix, app, valueFormat);
        this.identity = new WorkloadIdentity(
            `${name}-identity`,
            {
                displayName: physical,
                description: `Kafka Streams app ${app.name} (ECS): reads its CDC inputs, writes its outputs, owns ${access.internalPrefix}*`,
                grants: streamsAppGrants(kafka.cluster, kafka.schemaRegistry.resourceName, access),
            },
            child,
        );
        const owner = { id: this.identity.serviceAccount.id, apiVersion: this.identity.serviceAccount.apiVersion, kind: this.identity.serviceAccount.kind };
        this.kafkaApiKey = new confluent.ApiKey(
            `${name}-kafka-key`,
            {
                displayName: `${physical}-kafka`,
                description: `Kafka API key of the Kafka Streams app ${app.name} (in Secrets Manager ${physical})`,
                owner,
                managedResource: { id: kafka.cluster.id, apiVersion: kafka.cluster.apiVersion, kind: kafka.cluster.kind, environment: { id: kafka.environmentId } },
            },
            { parent: this, dependsOn: [...this.identity.roleBindings, ...kafka.ready] },
        );
        this.schemaRegistryApiKey = new confluent.ApiKey(
            `${name}-schema-registry-key`,
            {
                displayName: `${physical}-schema-registry`,
                description: `Schema Registry API key of the Kafka Streams app ${app.name} (reads its inputs' schemas)`,
                owner,
                managedResource: {
                    id: kafka.schemaRegistry.id,
                    apiVersion: kafka.schemaRegistry.apiVersion,
                    kind: kafka.schemaRegistry.kind,
                    environment: { id: kafka.environmentId },
                },
            },
            { parent: this, dependsOn: this.identity.roleBindings },
        );

        const env = pulumi.all([kafka.cluster.bootstrapEndpoint, kafka.schemaRegistry.restEndpoint]).apply(([bootstrap, schemaRegistryUrl]) =>
            streamsAppEnvironment(app, {
                basePrefix: args.basePrefix,
                // The cluster reports `SASL_SSL://host:9092`; clients take host:port.
                bootstrapServers: bootstrap.replace(/^[A-Z_]+:\/\//, ""),
                securityProtocol: "SASL_SSL",
                valueFormat,
                schemaRegistryUrl,
                // Kafka Streams' `replication.factor` for its internal topics
                // (https://kafka.apache.org/documentation/#streamsconfigs_replication.factor); Confluent
                // Cloud refuses client-created topics with another factor (PolicyViolationException
                // "Topic replication factor must be 3").
                replicationFactor: 3,
                overdueAfter: args.config.overdueAfter,
                overdueCheckInterval: args.config.overdueCheckInterval,
                // Batches by status as EMF lines on stdout -> awslogs -> CloudWatch -> Grafana Cloud (monitoring/streamsMetrics.ts).
                metricsNamespace: streamsCloudwatchNamespace(args.namePrefix),
            }),
        );
        this.environment = env.environment;

        this.secret = new aws.secretsmanager.Secret(
            `${name}-secret`,
            {
                name: `${args.namePrefix}/streams/${app.name}`,
                description: `Confluent Cloud API keys of the Kafka Streams app ${app.name}; read by its ECS task execution role only`,
                // prod: a deleted secret can be restored for a week (a task start would fail without it).
                recoveryWindowInDays: args.protect ? 7 : 0,
                tags,
            },
            child,
        );
        const secretVersion = new aws.secretsmanager.SecretVersion(
            `${name}-secret-version`,
            {
                secretId: this.secret.id,
                secretString: pulumi.secret(
                    pulumi
                        .all([env.secretEnv, this.kafkaApiKey.id, this.kafkaApiKey.secret, this.schemaRegistryApiKey.id, this.schemaRegistryApiKey.secret])
                        .apply(([names, kafkaKey, kafkaSecret, srKey, srSecret]) =>
                            streamsSecretJson(
                                { KAFKA_SASL_USERNAME: kafkaKey, KAFKA_SASL_PASSWORD: kafkaSecret, SCHEMA_REGISTRY_USERNAME: srKey, SCHEMA_REGISTRY_PASSWORD: srSecret },
                                names,
                            ),
                        ),
                ),
            },
            child,
        );

        this.logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            { name: `/ecs/${physical}`, retentionInDays: args.config.logRetentionDays, tags },
            { parent: this, protect: args.protect },
        );

        this.executionRole = new aws.iam.Role(
            `${name}-execution-role`,
            { name: `${physical}-execution`, description: `ECS pulls ${app.name}'s image, writes its logs and reads its one secret`, assumeRolePolicy: ECS_TASKS_TRUST_POLICY, tags },
            child,
        );
        new aws.iam.RolePolicy(
            `${name}-execution-policy`,
            {
                role: this.executionRole.id,
                policy: pulumi
                    .all([this.image.repository.arn, this.logGroup.arn, this.secret.arn])
                    .apply(([repositoryArn, logGroupArn, secretArn]) => executionRolePolicy(repositoryArn, logGroupArn, secretArn)),
            },
            child,
        );
        // The app calls no AWS API: the task role has no policy at all.
        this.taskRole = new aws.iam.Role(
            `${name}-task-role`,
            { name: `${physical}-task`, description: `Kafka Streams app ${app.name}: no AWS permissions`, assumeRolePolicy: ECS_TASKS_TRUST_POLICY, tags },
            child,
        );

        // Egress: Kafka (the PrivateLink endpoint in prod, Confluent's public brokers in dev) and HTTPS.
        const egress = (label: string, port: number, target: { cidrIpv4: string } | { referencedSecurityGroupId: pulumi.Input<string> }, description: string) =>
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-egress-${label}`,
                { securityGroupId: args.securityGroup.id, ipProtocol: "tcp", fromPort: port, toPort: port, description, ...target, tags },
                child,
            );
        const egressRules = [
            kafka.privateEndpointSecurityGroupId
                ? egress("kafka", STREAMS_EGRESS_PORTS.kafka, { referencedSecurityGroupId: kafka.privateEndpointSecurityGroupId }, "Kafka through the Confluent PrivateLink endpoint")
                : // Confluent Cloud's public brokers have no published fixed address range.
                  egress("kafka", STREAMS_EGRESS_PORTS.kafka, { cidrIpv4: "0.0.0.0/0" }, "Kafka on Confluent Cloud public endpoints (SASL_SSL)"),
            egress("https", STREAMS_EGRESS_PORTS.https, { cidrIpv4: "0.0.0.0/0" }, "HTTPS: Schema Registry, ECR, Secrets Manager, CloudWatch Logs"),
        ];

        this.taskDefinition = new aws.ecs.TaskDefinition(
            `${name}-task`,
            {
                family: physical,
                requiresCompatibilities: ["FARGATE"],
                networkMode: "awsvpc",
                cpu: String(args.config.cpu),
                memory: String(args.config.memoryMiB),
                runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
                executionRoleArn: this.executionRole.arn,
                taskRoleArn: this.taskRole.arn,
                containerDefinitions: pulumi
                    .all([this.image.ref, env, this.secret.arn, this.logGroup.name])
                    .apply(([image, e, secretArn, logGroup]) =>
                        JSON.stringify(streamsContainerDefinitions({ name: app.name.replace(/_/g, "-"), image, env: e, secretArn, logGroup, region: args.region })),
                    ),
                tags,
            },
            child,
        );

        const topicResources = streamsAppTopics(args.basePrefix, app).map((t) => t.name);
        const ioTopics = [...access.inputs, ...topicResources].map((t) => {
            const topic = kafka.topics.get(t);
            if (!topic) throw new Error(`Kafka Streams app ${app.name}: topic ${t} is not created by the platform`);
            return topic;
        });
        this.service = new aws.ecs.Service(
            `${name}-service`,
            {
                name: physical,
                cluster: args.clusterArn,
                taskDefinition: this.taskDefinition.arn,
                desiredCount: args.config.desiredCount,
                launchType: "FARGATE",
                networkConfiguration: { subnets: args.subnetIds, securityGroups: [args.securityGroup.id], assignPublicIp: false },
                // A task that never becomes healthy rolls the deployment back instead of looping.
                deploymentCircuitBreaker: { enable: true, rollback: true },
                // Replace tasks one at a time: the survivors take over the partitions meanwhile.
                deploymentMinimumHealthyPercent: args.config.desiredCount > 1 ? 50 : 0,
                deploymentMaximumPercent: 100,
                enableExecuteCommand: false,
                // A new key (rotation, replaced account) is a new secret version: restart the tasks so
                // they read it (ECS resolves `secrets` only at task start). The input also orders the
                // first start after the secret has a value.
                forceNewDeployment: true,
                triggers: { secretVersion: secretVersion.versionId },
                propagateTags: "SERVICE",
                waitForSteadyState: true,
                tags,
            },
            { parent: this, dependsOn: [...ioTopics, ...egressRules, ...this.identity.roleBindings, ...(args.awsApiReady ?? [])] },
        );
        this.registerOutputs({ serviceName: this.service.name, repositoryUrl: this.image.repository.repositoryUrl, secretArn: this.secret.arn });
    }
}

export interface StreamsAppsArgs {
    namePrefix: string;
    basePrefix: string;
    config: StreamsConfig;
    topicsConfig: TopicsConfig;
    region: string;
    subnetIds: pulumi.Input<string[]>;
    /** Task security groups by app (StreamsTaskSecurityGroup), created before the Confluent network. */
    securityGroups: Map<string, StreamsTaskSecurityGroup>;
    kafka: StreamsKafka;
    /** What must exist before the tasks start: the VPC endpoints of the AWS APIs, when the program provides them (network.awsApiAccess). */
    awsApiReady?: pulumi.Resource[];
    protect: boolean;
    tags: Record<string, string>;
}

/** Every catalog Streams app on one ECS cluster. */
export class StreamsApps extends pulumi.ComponentResource {
    readonly cluster: aws.ecs.Cluster;
    readonly apps: Map<string, StreamsAppDeployment>;

    constructor(name: string, args: StreamsAppsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streams:StreamsApps", name, {}, opts);
        // Container Insights: per-task CPU/memory in CloudWatch. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cloudwatch-container-insights.html
        this.cluster = new aws.ecs.Cluster(
            `${name}-cluster`,
            { name: `${args.namePrefix}-streams`, settings: [{ name: "containerInsights", value: "enabled" }], tags: args.tags },
            { parent: this },
        );
        this.apps = new Map();
        for (const app of STREAMS_APPS) {
            const securityGroup = args.securityGroups.get(app.name);
            if (!securityGroup) throw new Error(`Kafka Streams app ${app.name}: no task security group (StreamsTaskSecurityGroup)`);
            this.apps.set(
                app.name,
                new StreamsAppDeployment(
                    `${name}-${app.name.replace(/_/g, "-")}`,
                    { ...args, app, clusterArn: this.cluster.arn, securityGroup: securityGroup.securityGroup },
                    { parent: this },
                ),
            );
        }
        this.registerOutputs({ clusterArn: this.cluster.arn });
    }
}
