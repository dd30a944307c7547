// ksqlDB on Confluent Cloud: the cluster (CSUs from config), the service account it runs as with
// exactly the role bindings its apps need, a ksqlDB API key, and one deployment per app of
// sql/ksqldb/ through the ksqlDB REST provider, after the cluster, its bindings and its topics.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { DOMAINS, cdcTopicPrefix, ksqlAppInputTopics, ksqlAppOutputTopics, topicName } from "../catalog";
import { KsqlDbConfig, TopicsConfig } from "../config";
import { RoleGrant, WorkloadIdentity, crn } from "../streaming";
import { KsqlAppSql } from "./appReader";
import { ksqlStatementSpecs } from "./outputClasses";
import { KsqlAppDeployment, KsqlRebuildRecord } from "./provider";

/**
 * A new query starts from the beginning of its input topics, so it sees the snapshot too. A
 * rebuilt one starts where the provider decides from its output classes (outputClasses.ts).
 */
export const KSQL_STREAMS_PROPERTIES: Record<string, string> = { "ksql.streams.auto.offset.reset": "earliest" };

/** Kafka topics and subjects the apps read and write, derived from the catalog and the statements. */
export function ksqlDataAccess(basePrefix: string, apps: KsqlAppSql[]): { inputPatterns: string[]; outputs: string[]; readBack: string[] } {
    const inputs = new Set(apps.flatMap((a) => ksqlAppInputTopics(basePrefix, a.app)));
    // A domain whose every CDC topic is read gets one prefix grant instead of one per topic.
    const inputPatterns: string[] = [];
    for (const domain of DOMAINS) {
        const topics = domain.tables.map((t) => topicName(basePrefix, domain, t.name));
        if (topics.every((t) => inputs.has(t))) inputPatterns.push(`${cdcTopicPrefix(basePrefix, domain)}.*`);
        else inputPatterns.push(...topics.filter((t) => inputs.has(t)));
    }
    const outputs = apps.flatMap((a) => ksqlAppOutputTopics(basePrefix, a.app));
    // Outputs a later statement reads back (e.g. a table joined in the same app).
    const readBack = outputs.filter((topic) =>
        apps.some(({ statements }) => {
            const defined = statements.filter((s) => s.kafkaTopic === topic && s.kind !== "insert").map((s) => s.name);
            return statements.some((s) => s.reads.some((r) => defined.includes(r.name)));
        }),
    );
    return { inputPatterns, outputs, readBack };
}

const label = (text: string) => text.replace(/[^a-zA-Z0-9]+/g, "-").replace(/^-|-$/g, "");

/** Role bindings for reading inputs and writing outputs (topics and their AVRO subjects). */
export function ksqlDataGrants(
    cluster: confluent.KafkaCluster,
    schemaRegistryCrn: pulumi.Input<string>,
    access: ReturnType<typeof ksqlDataAccess>,
): RoleGrant[] {
    const grants: RoleGrant[] = [];
    for (const pattern of access.inputPatterns) {
        grants.push({ label: `read-${label(pattern)}`, role: "DeveloperRead", crnPattern: crn.topic(cluster, pattern) });
        grants.push({ label: `read-subjects-${label(pattern)}`, role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, pattern.endsWith("*") ? pattern : `${pattern}-*`) });
    }
    for (const topic of access.outputs) {
        grants.push({ label: `write-${label(topic)}`, role: "DeveloperWrite", crnPattern: crn.topic(cluster, topic) });
        grants.push({ label: `write-subjects-${label(topic)}`, role: "DeveloperWrite", crnPattern: crn.subject(schemaRegistryCrn, `${topic}-*`) });
        grants.push({ label: `read-subjects-${label(topic)}`, role: "DeveloperRead", crnPattern: crn.subject(schemaRegistryCrn, `${topic}-*`) });
    }
    for (const topic of access.readBack) {
        grants.push({ label: `read-${label(topic)}`, role: "DeveloperRead", crnPattern: crn.topic(cluster, topic) });
    }
    return grants;
}

/**
 * Bindings on the cluster's own resources, known once it exists: internal topics
 * (`_confluent-ksql-<prefix>…`, repartition/changelog, and their subjects), the processing log
 * (`<prefix>…`), consumer groups and transactional ids (exactly-once). No KsqlAdmin: the
 * statements are deployed by a separate account (ksqlDeployerGrants).
 */
export function ksqlClusterGrants(
    cluster: confluent.KafkaCluster,
    schemaRegistryCrn: pulumi.Input<string>,
    ksql: confluent.KsqlCluster,
): RoleGrant[] {
    const internal = pulumi.interpolate`_confluent-ksql-${ksql.topicPrefix}*`;
    return [
        { label: "internal-topics", role: "ResourceOwner", crnPattern: crn.topic(cluster, internal) },
        { label: "internal-subjects", role: "ResourceOwner", crnPattern: crn.subject(schemaRegistryCrn, internal) },
        { label: "processing-log", role: "ResourceOwner", crnPattern: crn.topic(cluster, pulumi.interpolate`${ksql.topicPrefix}*`) },
        { label: "consumer-groups", role: "ResourceOwner", crnPattern: crn.group(cluster, internal) },
        { label: "transactional-ids", role: "ResourceOwner", crnPattern: crn.transactionalId(cluster, pulumi.interpolate`${ksql.topicPrefix}*`) },
    ];
}

/**
 * The deploy account: `KsqlAdmin` on this one ksqlDB cluster, so its API key may run statements;
 * the queries themselves run as the cluster's own account with its data bindings. Keeping the two
 * apart means the key Pulumi holds cannot read data, and the runtime account cannot change apps.
 * https://docs.confluent.io/cloud/current/security/access-control/rbac/predefined-rbac-roles.html#ksqladmin
 */
export function ksqlDeployerGrants(ksql: confluent.KsqlCluster): RoleGrant[] {
    return [{ label: "ksql-admin", role: "KsqlAdmin", crnPattern: ksql.resourceName }];
}

export interface KsqlDbArgs {
    namePrefix: string;
    basePrefix: string;
    config: KsqlDbConfig;
    /** Retention of the topics, for what a replay would re-read. */
    topicsConfig: TopicsConfig;
    environmentId: pulumi.Input<string>;
    cluster: confluent.KafkaCluster;
    schemaRegistryCrn: pulumi.Input<string>;
    /** Checked apps (loadCheckedKsqlApps), in deployment order. */
    apps: KsqlAppSql[];
    /** Catalog topics by name; the apps wait for theirs. */
    topics: Map<string, confluent.KafkaTopic>;
    protect: boolean;
}

export class KsqlDb extends pulumi.ComponentResource {
    /** The account the ksqlDB cluster runs as (credentialIdentity): data access only. */
    readonly identity: WorkloadIdentity;
    /** The account that owns the statements API key: KsqlAdmin on this cluster only. */
    readonly deployer: WorkloadIdentity;
    readonly cluster: confluent.KsqlCluster;
    readonly apiKey: confluent.ApiKey;
    readonly deployments: KsqlAppDeployment[];
    /** App name -> number of statements deployed. */
    readonly statementCounts: Record<string, number>;
    /** App name -> the queries its last update restarted, with start position and gap (stack output). */
    readonly lastRebuilds: Record<string, pulumi.Output<KsqlRebuildRecord[]>>;

    constructor(name: string, args: KsqlDbArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:ksqldb:KsqlDb", name, {}, opts);
        const displayName = `${args.namePrefix}-ksqldb`;
        this.statementCounts = Object.fromEntries(args.apps.map((a) => [a.app.name, a.statements.length]));

        this.identity = new WorkloadIdentity(
            `${name}-identity`,
            {
                displayName,
                description: "ksqlDB cluster: reads CDC topics, writes the apps' topics, owns its internal topics",
                grants: ksqlDataGrants(args.cluster, args.schemaRegistryCrn, ksqlDataAccess(args.basePrefix, args.apps)),
            },
            { parent: this },
        );
        const dataBindings = [...this.identity.roleBindings];

        this.cluster = new confluent.KsqlCluster(
            `${name}-cluster`,
            {
                displayName,
                csu: args.config.csu,
                environment: { id: args.environmentId },
                kafkaCluster: { id: args.cluster.id },
                credentialIdentity: { id: this.identity.serviceAccount.id },
                useDetailedProcessingLog: args.config.useDetailedProcessingLog,
            },
            { parent: this, protect: args.protect, dependsOn: dataBindings },
        );

        const clusterBindings = this.identity.addGrants(ksqlClusterGrants(args.cluster, args.schemaRegistryCrn, this.cluster));
        this.deployer = new WorkloadIdentity(
            `${name}-deployer`,
            {
                displayName: `${displayName}-deployer`,
                description: "Deploys the ksqlDB apps' statements (Pulumi); owns the statements API key",
                grants: ksqlDeployerGrants(this.cluster),
            },
            { parent: this },
        );

        this.apiKey = new confluent.ApiKey(
            `${name}-api-key`,
            {
                displayName: `${displayName}-statements`,
                description: "ksqlDB API key that deploys the apps' statements (Pulumi)",
                owner: {
                    id: this.deployer.serviceAccount.id,
                    apiVersion: this.deployer.serviceAccount.apiVersion,
                    kind: this.deployer.serviceAccount.kind,
                },
                managedResource: {
                    id: this.cluster.id,
                    apiVersion: this.cluster.apiVersion,
                    kind: this.cluster.kind,
                    environment: { id: args.environmentId },
                },
            },
            // The key is usable for statements only once KsqlAdmin is bound.
            { parent: this, dependsOn: this.deployer.roleBindings },
        );

        this.deployments = args.apps.map((appSql) => {
            const { app } = appSql;
            const topics = [...ksqlAppInputTopics(args.basePrefix, app), ...ksqlAppOutputTopics(args.basePrefix, app)].map((t) => {
                const topic = args.topics.get(t);
                if (!topic) throw new Error(`ksqlDB app ${app.name}: topic ${t} is not created by the platform`);
                return topic;
            });
            return new KsqlAppDeployment(
                `${name}-app-${app.name}`,
                {
                    endpoint: this.cluster.restEndpoint,
                    credentials: { key: this.apiKey.id, secret: this.apiKey.secret },
                    app: app.name,
                    statements: ksqlStatementSpecs(appSql, args.basePrefix, args.topicsConfig),
                    streamsProperties: KSQL_STREAMS_PROPERTIES,
                    allowReplay: args.config.allowReplay.includes(app.name),
                },
                { parent: this, protect: args.protect, dependsOn: [this.cluster, this.apiKey, ...dataBindings, ...clusterBindings, ...this.deployer.roleBindings, ...topics] },
            );
        });

        this.lastRebuilds = Object.fromEntries(args.apps.map(({ app }, i) => [app.name, this.deployments[i].lastRebuilds]));

        this.registerOutputs({
            ksqlClusterId: this.cluster.id,
            restEndpoint: this.cluster.restEndpoint,
            serviceAccountId: this.identity.serviceAccount.id,
        });
    }
}
