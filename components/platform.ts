// Composes the cloud platform from the catalog and the stack's config:
// RDS MySQL sources -> Confluent Cloud topics through one CDC connector per domain.
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import { DOMAINS, allTopics, cdcTopics } from "./catalog";
import { PlatformConfig } from "./config";
import { CdcSourceConnector } from "./connectors";
import { KsqlDb } from "./ksqldb";
import { loadCheckedKsqlApps } from "./ksqlApps";
import { MySqlSource } from "./mysqlSource";
import { Streaming } from "./streaming";

export interface CloudPlatformArgs {
    config: PlatformConfig;
}

export class CloudPlatform extends pulumi.ComponentResource {
    readonly streaming: Streaming;
    readonly mysql: MySqlSource;
    readonly cdcConnectors: CdcSourceConnector[];
    readonly ksqldb: KsqlDb;

    constructor(name: string, args: CloudPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:platform:CloudPlatform", name, {}, opts);
        const cfg = args.config;
        const basePrefix = cfg.confluent.topicPrefix;
        const tags = { project: cfg.project, stack: cfg.stack, tier: cfg.tier, "managed-by": "pulumi" };
        // The apps' contract with the catalog and the DDL is checked before anything is registered.
        const ksqlApps = loadCheckedKsqlApps({ topicPrefix: basePrefix, orderStuckSlaMinutes: cfg.ksqldb.orderStuckSlaMinutes });

        this.streaming = new Streaming(
            "streaming",
            {
                namePrefix: cfg.namePrefix,
                config: cfg.confluent,
                topicsConfig: cfg.topics,
                topics: allTopics(basePrefix),
                protect: cfg.protect,
            },
            { parent: this },
        );

        const egress = confluent.getIpAddressesOutput(
            {
                filter: {
                    clouds: [cfg.confluent.cloud],
                    regions: [cfg.confluent.region],
                    services: ["CONNECT"],
                    addressTypes: ["EGRESS"],
                },
            },
            { parent: this },
        );

        this.mysql = new MySqlSource(
            "mysql",
            {
                namePrefix: cfg.namePrefix,
                config: cfg.mysql,
                domains: DOMAINS,
                connectorEgressCidrs: egress.ipAddresses.apply((ips) => ips.map((ip) => ip.ipPrefix)),
                protect: cfg.protect,
                tags,
            },
            { parent: this },
        );

        this.cdcConnectors = DOMAINS.map(
            (domain) =>
                new CdcSourceConnector(
                    `cdc-${domain.name}`,
                    {
                        namePrefix: cfg.namePrefix,
                        domain,
                        basePrefix,
                        environmentId: this.streaming.environment.id,
                        cluster: this.streaming.cluster,
                        schemaRegistryCrn: this.streaming.schemaRegistry.resourceName,
                        hostname: this.mysql.address,
                        port: this.mysql.port,
                        user: this.mysql.cdcUsername,
                        password: this.mysql.cdcPassword,
                        cdc: cfg.cdc,
                        topics: cdcTopics(basePrefix, domain).map((t) => this.streaming.topics.get(t.name)!),
                    },
                    { parent: this },
                ),
        );

        this.ksqldb = new KsqlDb(
            "ksqldb",
            {
                namePrefix: cfg.namePrefix,
                basePrefix,
                config: cfg.ksqldb,
                environmentId: this.streaming.environment.id,
                cluster: this.streaming.cluster,
                schemaRegistryCrn: this.streaming.schemaRegistry.resourceName,
                apps: ksqlApps,
                topics: this.streaming.topics,
                protect: cfg.protect,
            },
            { parent: this },
        );

        this.registerOutputs({});
    }
}
