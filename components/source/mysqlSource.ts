// RDS MySQL that can feed a CDC connector: ROW/FULL binlog, TLS only, backups on (binlogs
// exist only with automated backups), encrypted storage, and a network path open only to the
// connectors and to the runner that deploys: `public` (dev) admits Confluent's connector egress
// prefixes; `privatelink` (prod) is not publicly accessible and admits only the PrivateLink NLB.
// Both admit the deploy runner's security group and the operators' networks (never broad CIDRs).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Domain } from "../catalog";
import { MySqlConfig, databaseCidrProblems } from "../config";
import { domainMigrations } from "./migrations";
import { BootstrapDatabase, MySqlBootstrap } from "./bootstrapProvider";
import type { ConfluentEgressGateway } from "../streaming";
import { MySqlPrivateLink } from "./privateLink";

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
 * The CIDRs allowed to reach port 3306: Confluent's connector egress prefixes (network `public`)
 * plus operator networks. Each at most /`maxPrefix` wide, and never together the internet.
 */
export function allowedMySqlCidrs(confluentEgress: readonly string[], operatorCidrs: readonly string[], maxPrefix: number): string[] {
    const all = [...new Set([...confluentEgress, ...operatorCidrs])];
    const problems = databaseCidrProblems(all, maxPrefix);
    if (problems.length > 0) throw new Error(`refusing to open MySQL to ${problems.join("; ")}`);
    return all.sort();
}

/** Connector egress prefixes for a public database; an empty answer means no connector could connect. */
export function publicConnectorCidrs(egress: readonly string[]): string[] {
    if (egress.length === 0) {
        throw new Error(
            "Confluent Cloud returned no CONNECT egress addresses for this cloud/region; the CDC connector could not reach the database",
        );
    }
    return [...egress];
}

/** The catalog's databases with their migrations (and seed rows when asked) for the SQL bootstrap. */
export function bootstrapDatabases(domains: readonly Domain[], withSeed: boolean): BootstrapDatabase[] {
    return domains.map((d) => ({ name: d.database, ...domainMigrations(d.name, withSeed) }));
}

/** Where the sources run: subnets from config (checked private in prod), or the default VPC's. */
export type NetworkPlacement = "private-subnets" | "configured-subnets" | "default-vpc";

export interface SourceNetwork {
    vpcId: pulumi.Output<string>;
    /** Resolves only after the prod checks passed, so nothing is placed in a subnet that failed them. */
    subnetIds: pulumi.Output<string[]>;
    placement: NetworkPlacement;
}

/**
 * The VPC and subnets of the sources: from config, or the account's default VPC (dev only: the
 * config check requires mysql.vpcId and mysql.subnetIds for tier prod). With `requirePrivate`
 * (prod) the preview fails, naming the key, when the VPC is the account's default VPC or a subnet
 * is not in it or is public (assigns public IPs on launch, as default-VPC subnets do):
 *   https://docs.aws.amazon.com/vpc/latest/userguide/default-vpc.html
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Subnet.html (MapPublicIpOnLaunch)
 * A subnet routed to an internet gateway without auto-assigned IPs is not caught here (README, Unverified).
 */
export function sourceNetwork(config: MySqlConfig, opts: pulumi.InvokeOptions, requirePrivate = false): SourceNetwork {
    if (!config.vpcId || !config.subnetIds) {
        if (requirePrivate) throw new Error("lifesci-streaming:mysql.vpcId: tier prod needs mysql.vpcId and mysql.subnetIds (private subnets), not the default VPC");
        const vpcId = aws.ec2.getVpcOutput({ default: true }, opts).id;
        return { vpcId, subnetIds: aws.ec2.getSubnetsOutput({ filters: [{ name: "vpc-id", values: [vpcId] }] }, opts).ids, placement: "default-vpc" };
    }
    const vpcId = config.vpcId;
    const ids = config.subnetIds;
    if (!requirePrivate) return { vpcId: pulumi.output(vpcId), subnetIds: pulumi.output(ids), placement: "configured-subnets" };
    const vpc = aws.ec2.getVpcOutput({ id: vpcId }, opts);
    const subnets = ids.map((id) => aws.ec2.getSubnetOutput({ id }, opts));
    const found = pulumi.all(subnets.map((s) => pulumi.all([s.id, s.vpcId, s.mapPublicIpOnLaunch])));
    const checked = pulumi.all([vpc.default, found]).apply(([isDefault, details]) => {
        const problems: string[] = [];
        if (isDefault) problems.push(`lifesci-streaming:mysql.vpcId: ${vpcId} is the account's default VPC; tier prod needs a dedicated VPC`);
        for (const [id, subnetVpc, publicIps] of details) {
            if (subnetVpc !== vpcId) problems.push(`lifesci-streaming:mysql.subnetIds: ${id} is in ${subnetVpc}, not in mysql.vpcId ${vpcId}`);
            if (publicIps) problems.push(`lifesci-streaming:mysql.subnetIds: ${id} assigns public IPs on launch (a public subnet); tier prod needs private subnets`);
        }
        if (problems.length) throw new Error(problems.join("\n"));
        return ids;
    });
    return { vpcId: pulumi.output(vpcId), subnetIds: checked, placement: "private-subnets" };
}

export interface MySqlSourceArgs {
    namePrefix: string;
    config: MySqlConfig;
    /** Domains whose databases this server hosts. */
    domains: readonly Domain[];
    /** Where the instance (and, for privatelink, the NLB) lives: sourceNetwork(). */
    network: { vpcId: pulumi.Input<string>; subnetIds: pulumi.Input<string[]>; placement: NetworkPlacement };
    /** network `public`: Confluent CONNECT egress CIDRs for the cluster's cloud and region. */
    connectorEgressCidrs?: pulumi.Input<string[]>;
    /** network `privatelink`: the Confluent network's egress gateway the connectors arrive through. */
    egressGateway?: ConfluentEgressGateway;
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
    /** network `privatelink`: NLB, endpoint service, access point and DNS record. */
    readonly privateLink?: MySqlPrivateLink;
    /** What must exist before a connector can reach the database and log in. */
    readonly connectorReady: pulumi.Resource[];

    constructor(name: string, args: MySqlSourceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:mysql:MySqlSource", name, {}, opts);
        const { config, namePrefix, tags } = args;
        const stateful = { parent: this, protect: args.protect };
        this.databases = args.domains.map((d) => d.database);

        const { vpcId, subnetIds } = args.network;

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
            // networkPlacement: what the program verified (policy prod-rds-private-subnets reads it).
            { name: `${namePrefix}-mysql`, subnetIds, tags: { ...tags, networkPlacement: args.network.placement } },
            { parent: this },
        );

        const privatelink = config.network === "privatelink";
        if (privatelink && !args.egressGateway) throw new Error("mysql.network privatelink: the Confluent network's egress gateway is required");
        if (!privatelink && !args.connectorEgressCidrs) throw new Error("mysql.network public: Confluent's connector egress CIDRs are required");

        // The NLB's group exists first so the database's group can admit it by reference.
        const nlbSecurityGroup = privatelink
            ? new aws.ec2.SecurityGroup(
                  `${name}-nlb-sg`,
                  { name: `${namePrefix}-mysql-privatelink`, description: "PrivateLink NLB in front of RDS: egress to RDS only", vpcId, tags },
                  { parent: this },
              )
            : undefined;
        const connectorCidrs = privatelink ? pulumi.output([] as string[]) : pulumi.output(args.connectorEgressCidrs!).apply(publicConnectorCidrs);
        const cidrs = connectorCidrs.apply((egress) => allowedMySqlCidrs(egress, config.operatorCidrs, config.maxCidrPrefix));
        const sourceGroups = [...(nlbSecurityGroup ? [nlbSecurityGroup.id] : []), ...config.deployerSecurityGroupIds];
        this.securityGroup = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                name: `${namePrefix}-mysql`,
                description: privatelink
                    ? "MySQL from the PrivateLink NLB, the deploy runners and operator networks only"
                    : "MySQL from Confluent connector egress, the deploy runners and operator networks only",
                vpcId,
                ingress: cidrs.apply((blocks) => [
                    ...(blocks.length > 0
                        ? [{ protocol: "tcp", fromPort: MYSQL_PORT, toPort: MYSQL_PORT, cidrBlocks: blocks, description: "MySQL (TLS required)" }]
                        : []),
                    ...(sourceGroups.length > 0
                        ? [{ protocol: "tcp", fromPort: MYSQL_PORT, toPort: MYSQL_PORT, securityGroups: sourceGroups, description: "MySQL from the NLB / deploy runners (TLS required)" }]
                        : []),
                ]),
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
                // Only `public` (dev): managed connectors on Standard clusters arrive over the internet.
                // https://docs.confluent.io/cloud/current/networking/ip-ranges.html
                publiclyAccessible: !privatelink,
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

        if (privatelink) {
            this.privateLink = new MySqlPrivateLink(
                `${name}-privatelink`,
                {
                    namePrefix,
                    vpcId,
                    subnetIds,
                    instance: this.instance,
                    dbSecurityGroupId: this.securityGroup.id,
                    nlbSecurityGroup: nlbSecurityGroup!,
                    gateway: args.egressGateway!,
                    highAvailability: config.multiAz,
                    port: MYSQL_PORT,
                    tags,
                },
                { parent: this },
            );
        }

        if (config.bootstrap) {
            // Runs where `pulumi up` runs: the in-VPC deploy runner (mysql.deployerSecurityGroupIds)
            // or an operator network. TLS verified against the RDS CA bundle and the host name.
            this.bootstrap = new MySqlBootstrap(
                `${name}-bootstrap`,
                {
                    host: this.address,
                    port: this.port,
                    adminUser: MASTER_USER,
                    adminPassword: this.masterPassword,
                    tls: "verify_identity",
                    caPem: config.caPem,
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
        this.connectorReady = [...(this.bootstrap ? [this.bootstrap] : []), ...(this.privateLink ? [this.privateLink.dnsRecord] : [])];
        this.registerOutputs({
            address: this.address,
            port: this.port,
            databases: this.databases,
            securityGroupId: this.securityGroup.id,
        });
    }
}
