// Local ksqlDB, the counterpart of components/ksql: one ksqlDB server and the same four apps,
// deployed by the same provider as the cloud, after the CDC connectors registered the schemas.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { KsqlDbConfig, TopicsConfig } from "../components/config";
import { KSQL_STREAMS_PROPERTIES, KsqlAppDeployment, KsqlAppSql, KsqlRebuildRecord, ksqlStatementSpecs } from "../components/ksql";
import { LocalScope, childOptions, loopback, pinnedImage, service } from "./docker";
import { KAFKA_INTERNAL_BOOTSTRAP, SCHEMA_REGISTRY_INTERNAL_URL, asEnv } from "./settings";
import { LocalStreaming } from "./streaming";
import { LOCAL_PORTS } from "./versions";

export interface LocalKsqlArgs extends LocalScope {
    apps: KsqlAppSql[];
    basePrefix: string;
    /** Topic retention, for what a replay would re-read. */
    topics: TopicsConfig;
    /** `allowReplay`: the apps whose rebuilt queries may replay history. */
    ksqldb: KsqlDbConfig;
    streaming: LocalStreaming;
    /** What the apps read must be flowing first: the CDC connectors. */
    sources: pulumi.Resource[];
    formerParent?: pulumi.Resource;
}

export class LocalKsql extends pulumi.ComponentResource {
    readonly server: docker.Container;
    readonly apps: KsqlAppDeployment[];
    /** App name -> the queries its last update restarted (as the cloud's KsqlDb). */
    readonly lastRebuilds: Record<string, pulumi.Output<KsqlRebuildRecord[]>>;

    constructor(name: string, args: LocalKsqlArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:local:LocalKsql", name, {}, opts);
        const child = childOptions(this, args.formerParent);
        this.server = service(args, child, "ksqldb", {
            image: pinnedImage(args, child, "ksqldb").imageId,
            envs: asEnv({
                KSQL_BOOTSTRAP_SERVERS: KAFKA_INTERNAL_BOOTSTRAP,
                KSQL_LISTENERS: "http://0.0.0.0:8088",
                KSQL_KSQL_SCHEMA_REGISTRY_URL: SCHEMA_REGISTRY_INTERNAL_URL,
                KSQL_KSQL_SERVICE_ID: `${args.prefix}_`,
                KSQL_KSQL_LOGGING_PROCESSING_STREAM_AUTO_CREATE: "true",
                KSQL_KSQL_LOGGING_PROCESSING_TOPIC_AUTO_CREATE: "true",
                KSQL_KSQL_INTERNAL_TOPIC_REPLICAS: "1",
                KSQL_KSQL_STREAMS_REPLICATION_FACTOR: "1",
            }),
            ports: [[8088, LOCAL_PORTS.ksqldb]],
            healthcheck: "curl -fsS http://localhost:8088/info >/dev/null",
            startPeriod: "30s",
            dependsOn: [args.streaming.kafka, args.streaming.schemaRegistry],
        });
        const endpoint = this.server.id.apply(() => loopback(LOCAL_PORTS.ksqldb));
        this.apps = args.apps.map(
            (appSql) =>
                new KsqlAppDeployment(
                    `${args.base}-ksql-${appSql.app.name}`,
                    {
                        endpoint,
                        app: appSql.app.name,
                        statements: ksqlStatementSpecs(appSql, args.basePrefix, args.topics),
                        streamsProperties: KSQL_STREAMS_PROPERTIES,
                        allowReplay: args.ksqldb.allowReplay.includes(appSql.app.name),
                    },
                    { ...child, dependsOn: [this.server, args.streaming.topicsInit, ...args.sources] },
                ),
        );
        this.lastRebuilds = Object.fromEntries(args.apps.map(({ app }, i) => [app.name, this.apps[i].lastRebuilds]));
        this.registerOutputs({});
    }
}
