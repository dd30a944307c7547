// Confluent Cloud: environment with stream governance, the Kafka cluster, Schema Registry
// (looked up: it comes with the environment), the topic manager identity and every catalog
// topic, created before any connector so nothing is auto-created with broker defaults.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { TopicSpec, cleanupPolicyOf, retentionMsOf } from "../catalog";
import { ConfluentConfig, TopicsConfig } from "../config";
import { RoleGrant, WorkloadIdentity, crn } from "./identity";
import { ConfluentPrivateNetwork, ConfluentPrivateNetworkArgs } from "./privateNetwork";

/** Kafka topic config for a catalog topic under the stack's retention settings. */
export function topicSettings(topic: TopicSpec, cfg: TopicsConfig): { partitions: number; config: Record<string, string> } {
    const retentionMs = retentionMsOf(topic.retention, cfg);
    const cleanupPolicy = cleanupPolicyOf(topic);
    return {
        partitions: topic.partitions ?? cfg.partitions,
        // A compacted topic keeps the latest record per key for good; retention.ms would not apply.
        // https://docs.confluent.io/cloud/current/topics/overview.html#cleanup-policy
        config: cleanupPolicy === "compact" ? { "cleanup.policy": "compact" } : { "cleanup.policy": "delete", "retention.ms": String(retentionMs) },
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

/**
 * The topic manager's bindings: `DeveloperManage` (create, configure, delete) on the topics
 * whose names start with the platform's prefixes, and nothing on data or the cluster itself.
 * https://docs.confluent.io/cloud/current/security/access-control/rbac/predefined-rbac-roles.html#developermanage
 */
export function topicManagerGrants(cluster: confluent.KafkaCluster, topics: readonly TopicSpec[], basePrefix: string): RoleGrant[] {
    return topicPrefixes(topics.map((t) => t.name), basePrefix).map((prefix) => ({
        label: `manage-${prefix.replace(/[^a-zA-Z0-9]+/g, "-").replace(/-$/, "")}`,
        role: "DeveloperManage",
        crnPattern: crn.topic(cluster, `${prefix}*`),
    }));
}

/**
 * Name prefixes that cover every platform topic and nothing more general: `<base>.` for topics
 * under the platform prefix, `<head>.<base>.` for topics that carry it after a head
 * (e.g. `dbhistory.lifesci.`). A topic outside the prefix fails: it would need its own grant.
 */
export function topicPrefixes(names: readonly string[], basePrefix: string): string[] {
    const prefixes = new Set<string>();
    for (const name of names) {
        const at = name.startsWith(`${basePrefix}.`) ? 0 : name.indexOf(`.${basePrefix}.`) + 1;
        if (at === 0 && !name.startsWith(`${basePrefix}.`)) {
            throw new Error(`topic "${name}" is outside the platform prefix "${basePrefix}."; the topic manager may only manage the platform's topics`);
        }
        prefixes.add(name.slice(0, at + basePrefix.length + 1));
    }
    return [...prefixes].sort();
}

export interface StreamingArgs {
    namePrefix: string;
    config: ConfluentConfig;
    topicsConfig: TopicsConfig;
    topics: TopicSpec[];
    protect: boolean;
    /** prod: a Confluent network with PrivateLink (the cluster must be dedicated). */
    privateNetwork?: Omit<ConfluentPrivateNetworkArgs, "namePrefix" | "environmentId" | "region" | "protect">;
}

export class Streaming extends pulumi.ComponentResource {
    readonly environment: confluent.Environment;
    readonly cluster: confluent.KafkaCluster;
    readonly schemaRegistry: pulumi.Output<confluent.GetSchemaRegistryClusterResult>;
    readonly topics: Map<string, confluent.KafkaTopic>;
    readonly topicManager: WorkloadIdentity;
    readonly privateNetwork?: ConfluentPrivateNetwork;

    constructor(name: string, args: StreamingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streaming:Streaming", name, {}, opts);
        const { config, namePrefix } = args;
        const stateful = { parent: this, protect: args.protect };

        this.environment = new confluent.Environment(
            `${name}-env`,
            { displayName: namePrefix, streamGovernance: { package: config.streamGovernance } },
            stateful,
        );

        if (args.privateNetwork) {
            if (config.clusterType !== "dedicated") throw new Error(`a PrivateLink network needs a dedicated cluster (got ${config.clusterType})`);
            this.privateNetwork = new ConfluentPrivateNetwork(
                `${name}-private`,
                { ...args.privateNetwork, namePrefix, environmentId: this.environment.id, region: config.region, protect: args.protect },
                { parent: this },
            );
        }

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
                ...(this.privateNetwork ? { network: { id: this.privateNetwork.network.id } } : {}),
            },
            stateful,
        );

        // Schema Registry is provisioned with the environment once a cluster exists.
        this.schemaRegistry = confluent.getSchemaRegistryClusterOutput(
            { environment: { id: this.environment.id } },
            { parent: this, dependsOn: [this.cluster] },
        );

        // Topics are managed through the cluster REST API with a key owned by an account that may
        // manage the platform's topics and nothing else (no data access, no cluster admin).
        this.topicManager = new WorkloadIdentity(
            `${name}-topic-manager`,
            {
                displayName: `${namePrefix}-topic-manager`,
                description: "Creates and configures the platform's topics (Pulumi)",
                grants: topicManagerGrants(this.cluster, args.topics, config.topicPrefix),
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
            { parent: this, dependsOn: [...this.topicManager.roleBindings, ...(this.privateNetwork?.ready ?? [])] },
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
