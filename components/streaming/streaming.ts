// Confluent Cloud: environment with stream governance, the Kafka cluster, Schema Registry
// (looked up: it comes with the environment), the topic manager identity and every catalog
// topic, created before any connector so nothing is auto-created with broker defaults.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { TopicSpec, retentionMsOf } from "../catalog";
import { ConfluentConfig, TopicsConfig } from "../config";
import { WorkloadIdentity } from "./identity";

/** Kafka topic config for a catalog topic under the stack's retention settings. */
export function topicSettings(topic: TopicSpec, cfg: TopicsConfig): { partitions: number; config: Record<string, string> } {
    const retentionMs = retentionMsOf(topic.retention, cfg);
    return {
        partitions: topic.partitions ?? cfg.partitions,
        config: {
            "cleanup.policy": "delete",
            "retention.ms": String(retentionMs),
        },
    };
}

/** The cluster-type block of a KafkaCluster: exactly one of basic/standard/dedicated. */
export function clusterTypeArgs(cfg: ConfluentConfig): Pick<confluent.KafkaClusterArgs, "basic" | "standard" | "dedicated"> {
    switch (cfg.clusterType) {
        case "basic":
            return { basic: {} };
        case "standard":
            return { standard: {} };
        case "dedicated":
            return { dedicated: { cku: cfg.cku! } };
    }
}

export interface StreamingArgs {
    namePrefix: string;
    config: ConfluentConfig;
    topicsConfig: TopicsConfig;
    topics: TopicSpec[];
    protect: boolean;
}

export class Streaming extends pulumi.ComponentResource {
    readonly environment: confluent.Environment;
    readonly cluster: confluent.KafkaCluster;
    readonly schemaRegistry: pulumi.Output<confluent.GetSchemaRegistryClusterResult>;
    readonly topics: Map<string, confluent.KafkaTopic>;
    readonly topicManager: WorkloadIdentity;

    constructor(name: string, args: StreamingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streaming:Streaming", name, {}, opts);
        const { config, namePrefix } = args;
        const stateful = { parent: this, protect: args.protect };

        this.environment = new confluent.Environment(
            `${name}-env`,
            { displayName: namePrefix, streamGovernance: { package: config.streamGovernance } },
            stateful,
        );

        this.cluster = new confluent.KafkaCluster(
            `${name}-cluster`,
            {
                displayName: `${namePrefix}-cdc`,
                availability: config.availability,
                cloud: config.cloud,
                region: config.region,
                environment: { id: this.environment.id },
                deletionProtection: args.protect,
                ...clusterTypeArgs(config),
            },
            stateful,
        );

        // Schema Registry is provisioned with the environment once a cluster exists.
        this.schemaRegistry = confluent.getSchemaRegistryClusterOutput(
            { environment: { id: this.environment.id } },
            { parent: this, dependsOn: [this.cluster] },
        );

        // Topics are managed through the cluster REST API with a key owned by an account
        // that administers this one cluster, and nothing else.
        this.topicManager = new WorkloadIdentity(
            `${name}-topic-manager`,
            {
                displayName: `${namePrefix}-topic-manager`,
                description: "Creates and configures the platform's topics (Pulumi)",
                grants: [{ label: "cluster-admin", role: "CloudClusterAdmin", crnPattern: this.cluster.rbacCrn }],
            },
            { parent: this },
        );
        const managerKey = new confluent.ApiKey(
            `${name}-topic-manager-key`,
            {
                displayName: `${namePrefix}-topic-manager`,
                description: "Kafka API key for topic management",
                owner: {
                    id: this.topicManager.serviceAccount.id,
                    apiVersion: this.topicManager.serviceAccount.apiVersion,
                    kind: this.topicManager.serviceAccount.kind,
                },
                managedResource: {
                    id: this.cluster.id,
                    apiVersion: this.cluster.apiVersion,
                    kind: this.cluster.kind,
                    environment: { id: this.environment.id },
                },
            },
            { parent: this, dependsOn: this.topicManager.roleBindings },
        );

        this.topics = new Map();
        for (const topic of args.topics) {
            const settings = topicSettings(topic, args.topicsConfig);
            this.topics.set(
                topic.name,
                new confluent.KafkaTopic(
                    `${name}-topic-${topic.name}`,
                    {
                        kafkaCluster: { id: this.cluster.id },
                        topicName: topic.name,
                        partitionsCount: settings.partitions,
                        restEndpoint: this.cluster.restEndpoint,
                        config: settings.config,
                        credentials: { key: managerKey.id, secret: managerKey.secret },
                    },
                    stateful,
                ),
            );
        }

        this.registerOutputs({
            environmentId: this.environment.id,
            clusterId: this.cluster.id,
            bootstrapEndpoint: this.cluster.bootstrapEndpoint,
            schemaRegistryEndpoint: this.schemaRegistry.restEndpoint,
        });
    }
}
