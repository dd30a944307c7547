// RDS MySQL that can feed a CDC connector: ROW/FULL binlog, TLS only, backups on (binlogs
// exist only with automated backups), encrypted storage, and a network path open only to
// Confluent's connector egress addresses and the operators' networks.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Domain } from "../catalog";
import { MySqlConfig, isIpv4Cidr } from "../config";
import { readSqlFile } from "../ddl";
import { BootstrapDatabase, MySqlBootstrap } from "./bootstrapProvider";

export const MYSQL_PORT = 3306;
/** The account the CDC connector logs in as; created by the SQL bootstrap, never the master user. */
export const CDC_USER = "lifesci_cdc";
export const MASTER_USER = "lifesci_admin";

export interface DbParameter {
    name: string;
    value: string;
    applyMethod: "immediate" | "pending-reboot";
}

/** Server parameters Debezium-style CDC depends on. */
export function cdcParameters(): DbParameter[] {
    return [
        { name: "binlog_format", value: "ROW", applyMethod: "immediate" },
        { name: "binlog_row_image", value: "FULL", applyMethod: "immediate" },
        // Column names and types in the binlog help the connector track schema changes.
        { name: "binlog_row_metadata", value: "FULL", applyMethod: "immediate" },
        { name: "require_secure_transport", value: "1", applyMethod: "immediate" },
    ];
}

export function parameterGroupFamily(engineVersion: "8.0" | "8.4"): string {
    return `mysql${engineVersion}`;
}

/**
 * The CIDRs allowed to reach port 3306: Confluent's connector egress prefixes for the
 * cluster's region plus operator networks. Never the whole internet, never empty.
 */
export function allowedMySqlCidrs(confluentEgress: readonly string[], operatorCidrs: readonly string[]): string[] {
    if (confluentEgress.length === 0) {
        throw new Error(
            "Confluent Cloud returned no CONNECT egress addresses for this cloud/region; the CDC connector could not reach the database",
        );
    }
    const all = [...new Set([...confluentEgress, ...operatorCidrs])];
    for (const cidr of all) {
        if (!isIpv4Cidr(cidr)) throw new Error(`not an IPv4 CIDR: "${cidr}"`);
        if (cidr.endsWith("/0")) throw new Error(`refusing to open MySQL to the world (${cidr})`);
    }
    return all.sort();
}

/** The catalog's databases with their DDL (and seed data when asked) for the SQL bootstrap. */
export function bootstrapDatabases(domains: readonly Domain[], withSeed: boolean): BootstrapDatabase[] {
    return domains.map((d) => ({
        name: d.database,
        ddl: readSqlFile(d.ddlFile),
        ...(withSeed ? { seed: readSqlFile(d.seedFile) } : {}),
    }));
}

export interface MySqlSourceArgs {
    namePrefix: string;
    config: MySqlConfig;
    /** Domains whose databases this server hosts. */
    domains: readonly Domain[];
    /** Confluent CONNECT egress CIDRs for the cluster's cloud and region. */
    connectorEgressCidrs: pulumi.Input<string[]>;
    protect: boolean;
    tags: Record<string, string>;
}

export class MySqlSource extends pulumi.ComponentResource {
    readonly instance: aws.rds.Instance;
    readonly securityGroup: aws.ec2.SecurityGroup;
    readonly parameterGroup: aws.rds.ParameterGroup;
    readonly address: pulumi.Output<string>;
    readonly port: pulumi.Output<number>;
    readonly masterUsername = MASTER_USER;
    readonly masterPassword: pulumi.Output<string>;
    readonly cdcUsername = CDC_USER;
    readonly cdcPassword: pulumi.Output<string>;
    readonly databases: string[];
    /** Databases, DDL, CDC user and binlog retention; absent when `mysql.bootstrap` is false. */
    readonly bootstrap?: MySqlBootstrap;

    constructor(name: string, args: MySqlSourceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:mysql:MySqlSource", name, {}, opts);
        const { config, namePrefix, tags } = args;
        const stateful = { parent: this, protect: args.protect };
        this.databases = args.domains.map((d) => d.database);

        const vpcId = config.vpcId ?? aws.ec2.getVpcOutput({ default: true }, { parent: this }).id;
        const subnetIds = config.subnetIds
            ? pulumi.output(config.subnetIds)
            : aws.ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpcId] }] }, { parent: this }).ids;

        const kmsKey = new aws.kms.Key(
            `${name}-storage`,
            {
                description: `${namePrefix} MySQL CDC sources storage encryption`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                tags,
            },
            stateful,
        );

        this.parameterGroup = new aws.rds.ParameterGroup(
            `${name}-binlog`,
            {
                name: `${namePrefix}-mysql-cdc`,
                family: parameterGroupFamily(config.engineVersion),
                description: "Binlog ROW/FULL and TLS-only transport for CDC",
                parameters: cdcParameters(),
                tags,
            },
            { parent: this },
        );

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { name: `${namePrefix}-mysql`, subnetIds, tags },
            { parent: this },
        );

        const cidrs = pulumi
            .output(args.connectorEgressCidrs)
            .apply((egress) => allowedMySqlCidrs(egress, config.operatorCidrs));
        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: `${namePrefix}-mysql`,
                description: "MySQL from Confluent connector egress and operator networks only",
                vpcId,
                ingress: [
                    {
                        protocol: "tcp",
                        fromPort: MYSQL_PORT,
                        toPort: MYSQL_PORT,
                        cidrBlocks: cidrs,
                        description: "MySQL (TLS required)",
                    },
                ],
                // RDS needs no outbound rules; an empty list removes the default allow-all.
                egress: [],
                tags,
            },
            { parent: this },
        );

        // RDS rejects / " @ and space in master passwords.
        const masterPassword = new random.RandomPassword(
            `${name}-master-password`,
            { length: 32, special: true, overrideSpecial: "!#%^*-_=+" },
            { parent: this },
        );
        const cdcPassword = new random.RandomPassword(
            `${name}-cdc-password`,
            { length: 32, special: true, overrideSpecial: "!#%^*-_=+" },
            { parent: this },
        );
        this.masterPassword = pulumi.secret(masterPassword.result);
        this.cdcPassword = pulumi.secret(cdcPassword.result);

        this.instance = new aws.rds.Instance(
            `${name}-db`,
            {
                identifier: `${namePrefix}-mysql`,
                engine: "mysql",
                engineVersion: config.engineVersion,
                instanceClass: config.instanceClass,
                allocatedStorage: config.allocatedStorageGb,
                maxAllocatedStorage: config.maxAllocatedStorageGb,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: kmsKey.arn,
                username: MASTER_USER,
                password: this.masterPassword,
                port: MYSQL_PORT,
                parameterGroupName: this.parameterGroup.name,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [this.securityGroup.id],
                // Confluent managed connectors on Basic/Standard clusters arrive over the internet.
                publiclyAccessible: config.publiclyAccessible,
                multiAz: config.multiAz,
                backupRetentionPeriod: config.backupRetentionDays,
                backupWindow: "02:00-03:00",
                maintenanceWindow: "sun:03:30-sun:04:30",
                copyTagsToSnapshot: true,
                autoMinorVersionUpgrade: true,
                deletionProtection: args.protect,
                skipFinalSnapshot: !args.protect,
                finalSnapshotIdentifier: args.protect ? `${namePrefix}-mysql-final` : undefined,
                deleteAutomatedBackups: !args.protect,
                applyImmediately: !args.protect,
                enabledCloudwatchLogsExports: ["error", "slowquery"],
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: kmsKey.arn,
                tags,
            },
            stateful,
        );

        this.address = this.instance.address;
        this.port = this.instance.port;

        if (config.bootstrap) {
            // Runs from where `pulumi up` runs: that address must be in mysql.operatorCidrs.
            this.bootstrap = new MySqlBootstrap(
                `${name}-bootstrap`,
                {
                    host: this.address,
                    port: this.port,
                    adminUser: MASTER_USER,
                    adminPassword: this.masterPassword,
                    tls: "required",
                    databases: bootstrapDatabases(args.domains, config.seedData),
                    cdcUser: CDC_USER,
                    cdcHost: "%",
                    cdcPassword: this.cdcPassword,
                    requireTls: true,
                    binlogRetentionHours: config.binlogRetentionHours,
                },
                { parent: this, dependsOn: [this.instance] },
            );
        }
        this.registerOutputs({
            address: this.address,
            port: this.port,
            databases: this.databases,
            securityGroupId: this.securityGroup.id,
        });
    }
}
