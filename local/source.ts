// Local source, the counterpart of components/source: MySQL with binlog ROW/FULL and GTIDs,
// bootstrapped by the cloud's SQL bootstrap, and one Debezium CDC connector per catalog domain,
// mapped from the cloud connector settings.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { DOMAINS, DomainName } from "../components/catalog";
import { PlatformConfig } from "../components/config";
import { CDC_USER, CdcSnapshotSignal, MySqlBootstrap, bootstrapDatabases, cdcConnectorName } from "../components/source";
import { ConnectConnector } from "./connectProvider";
import { LocalKafka, localCdcSourceConfig } from "./connectorMapping";
import { MonitoredLocalConnector, localConnector } from "./connectors";
import { LocalScope, childOptions, dataVolume, pinnedImage, service } from "./docker";
import { HOSTS, mysqlServerFlags } from "./settings";
import { LocalStreaming } from "./streaming";
import { LOCAL_PORTS } from "./versions";

export const MYSQL_SERVER_ID = 1;
/** Debezium connectors join the replication topology with their own ids (one per domain). */
export const CDC_SERVER_ID_BASE = 5400;

export interface LocalSourceArgs extends LocalScope {
    config: PlatformConfig;
    streaming: LocalStreaming;
    kafka: LocalKafka;
    rootPassword: pulumi.Output<string>;
    cdcPassword: pulumi.Output<string>;
    formerParent?: pulumi.Resource;
}

export class LocalSource extends pulumi.ComponentResource {
    readonly mysql: docker.Container;
    readonly bootstrap: MySqlBootstrap;
    readonly cdcConnectors: ReadonlyMap<DomainName, ConnectConnector>;
    readonly monitored: MonitoredLocalConnector[] = [];

    constructor(name: string, args: LocalSourceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:local:LocalSource", name, {}, opts);
        const child = childOptions(this, args.formerParent);
        const cfg = args.config;

        this.mysql = service(args, child, "mysql", {
            image: pinnedImage(args, child, "mysql").imageId,
            envs: [pulumi.interpolate`MYSQL_ROOT_PASSWORD=${args.rootPassword}`],
            command: mysqlServerFlags(MYSQL_SERVER_ID),
            ports: [[3306, LOCAL_PORTS.mysql]],
            volumes: [{ volume: dataVolume(args, child, "mysql"), path: "/var/lib/mysql" }],
            // No credentials at all: `mysqladmin ping` exits 0 whenever the server answers, even with
            // "Access denied" (https://dev.mysql.com/doc/refman/8.0/en/mysqladmin.html), so no
            // password is ever expanded onto a command line (visible in `ps` and `docker inspect`).
            healthcheck: "mysqladmin ping -h 127.0.0.1 --silent",
            startPeriod: "30s",
        });

        // The cloud's SQL bootstrap, aimed at the container's published port.
        this.bootstrap = new MySqlBootstrap(
            `${args.base}-mysql-bootstrap`,
            {
                host: "127.0.0.1",
                port: LOCAL_PORTS.mysql,
                adminUser: "root",
                adminPassword: args.rootPassword,
                // The container's certificate is self-signed by MySQL at first start; nothing else
                // listens on this loopback port. Explicitly insecure (it warns), never in the cloud.
                tls: "insecure",
                databases: bootstrapDatabases(DOMAINS, cfg.mysql.seedData),
                cdcUser: CDC_USER,
                cdcHost: "%",
                cdcPassword: args.cdcPassword,
                requireTls: true,
                binlogRetentionHours: cfg.mysql.binlogRetentionHours,
            },
            { ...child, dependsOn: [this.mysql] },
        );

        this.cdcConnectors = new Map(
            DOMAINS.map((domain, i) => {
                const { connector, monitored } = localConnector(args.streaming, child, {
                    resourceName: `${args.base}-connector-cdc-${domain.name}`,
                    connectorName: cdcConnectorName(args.prefix, domain),
                    built: localCdcSourceConfig({
                        namePrefix: args.prefix,
                        basePrefix: cfg.confluent.topicPrefix,
                        domain,
                        mysqlHost: HOSTS.mysql,
                        mysqlPort: 3306,
                        user: CDC_USER,
                        cdc: cfg.cdc,
                        serverId: CDC_SERVER_ID_BASE + i,
                        kafka: args.kafka,
                    }),
                    sensitive: { "database.password": args.cdcPassword },
                    dependsOn: [this.bootstrap],
                    domain: domain.name,
                });
                this.monitored.push(monitored);
                // As in the cloud: tables added to a running connector get one incremental snapshot.
                new CdcSnapshotSignal(
                    `${args.base}-cdc-${domain.name}-snapshot-signal`,
                    {
                        host: "127.0.0.1",
                        port: LOCAL_PORTS.mysql,
                        // As in the cloud: the CDC user writes signals, root stays in the bootstrap.
                        user: CDC_USER,
                        password: args.cdcPassword,
                        tls: "insecure",
                        database: domain.database,
                        tables: domain.tables.map((t) => t.name),
                    },
                    { ...child, dependsOn: [connector] },
                );
                return [domain.name, connector] as const;
            }),
        );
        this.registerOutputs({});
    }
}
