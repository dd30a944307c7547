// The private path from Confluent Cloud's managed connectors to RDS (prod, `mysql.network:
// privatelink`): an internal NLB in front of the instance, a VPC endpoint service that only the
// Confluent network's egress gateway may connect to, and on the Confluent side an Egress
// PrivateLink access point plus a DNS record for the RDS host name. The connector keeps
// `database.hostname` = the RDS endpoint, so `verify_identity` checks RDS's own certificate.
// Docs: https://docs.confluent.io/cloud/current/networking/aws-egress-privatelink.html
//       https://docs.confluent.io/cloud/current/connectors/networking/aws-eap-self-managed.html
//       https://docs.aws.amazon.com/vpc/latest/privatelink/create-endpoint-service.html
import * as aws from "@pulumi/aws";
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";
import type { ConfluentEgressGateway } from "../streaming";
import { PrivateLinkRetarget } from "./failover/retargetFunction";


/**
 * Endpoint-service permissions: exactly the gateway's principal. Never `*`, never an account
 * root: "If you grant everyone permission ... your load balancer will be public"
 * (https://docs.aws.amazon.com/vpc/latest/privatelink/configure-endpoint-service.html).
 */
export function endpointServicePrincipals(principalArn: string): string[] {
    if (!/^arn:aws:iam::\d{12}:role\/.+/.test(principalArn)) {
        throw new Error(`Confluent egress gateway principal must be an IAM role ARN, got "${principalArn}"`);
    }
    return [principalArn];
}

export interface MySqlPrivateLinkArgs {
    namePrefix: string;
    vpcId: pulumi.Input<string>;
    subnetIds: pulumi.Input<string[]>;
    instance: aws.rds.Instance;
    /** The instance's security group: the NLB may send 3306 there and nowhere else. */
    dbSecurityGroupId: pulumi.Input<string>;
    /** Created by the caller before the database's security group, which admits it. */
    nlbSecurityGroup: aws.ec2.SecurityGroup;
    gateway: ConfluentEgressGateway;
    /** Endpoint interfaces in several AZs (prod). */
    highAvailability: boolean;
    port: number;
    tags: Record<string, string>;
}

export interface RdsInterface {
    id: string;
    availabilityZone: string;
    privateIp: string;
}

/**
 * The primary's interface among the instance's RDS interfaces: the one in the primary's
 * availability zone. A Multi-AZ standby carries the same security group and description in another
 * zone, so "exactly one interface" would fail every prod deploy; more than one in the primary's zone
 * is ambiguous and refused.
 */
export function primaryInterface(interfaces: readonly RdsInterface[], primaryAz: string, where: string): RdsInterface {
    const inZone = interfaces.filter((i) => i.availabilityZone === primaryAz);
    if (inZone.length !== 1) {
        throw new Error(
            `expected one RDS network interface in ${where} in the primary's zone ${primaryAz}, found ${inZone.length} (of ${interfaces.length}: ${interfaces.map((i) => `${i.id} ${i.availabilityZone}`).join(", ") || "none"})`,
        );
    }
    return inZone[0];
}

export class MySqlPrivateLink extends pulumi.ComponentResource {
    readonly loadBalancer: aws.lb.LoadBalancer;
    readonly targetGroup: aws.lb.TargetGroup;
    readonly target: aws.lb.TargetGroupAttachment;
    readonly endpointService: aws.ec2.VpcEndpointService;
    readonly accessPoint: confluent.AccessPoint;
    readonly connectionAccepter: aws.ec2.VpcEndpointConnectionAccepter;
    readonly dnsRecord: confluent.DnsRecord;
    /** Moves the NLB target to the new primary after a failover (issue 22, item 5). */
    readonly retarget: PrivateLinkRetarget;

    constructor(name: string, args: MySqlPrivateLinkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:source:MySqlPrivateLink", name, {}, opts);
        const { namePrefix, tags, port } = args;
        const child = { parent: this };

        // The NLB forwards only to the database, only on its port.
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-nlb-to-db`,
            {
                securityGroupId: args.nlbSecurityGroup.id,
                referencedSecurityGroupId: args.dbSecurityGroupId,
                ipProtocol: "tcp",
                fromPort: port,
                toPort: port,
                description: "MySQL to the RDS instance only",
                tags,
            },
            child,
        );

        this.loadBalancer = new aws.lb.LoadBalancer(
            `${name}-nlb`,
            {
                name: `${namePrefix}-mysql-pl`.slice(0, 32),
                internal: true,
                loadBalancerType: "network",
                subnets: args.subnetIds,
                securityGroups: [args.nlbSecurityGroup.id],
                // The NLB's security group has no inbound rules: PrivateLink traffic is admitted by the
                // endpoint service's permissions (one principal), nothing else may reach the NLB.
                // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html
                enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off",
                // The instance lives in one AZ; endpoint interfaces in every AZ must reach it.
                enableCrossZoneLoadBalancing: true,
                enableDeletionProtection: args.highAvailability,
                tags,
            },
            child,
        );

        // RDS has no instance id target: an IP target on the instance's network interface.
        // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-target-groups.html#target-type
        this.targetGroup = new aws.lb.TargetGroup(
            `${name}-tg`,
            {
                name: `${namePrefix}-mysql`.slice(0, 32),
                port,
                protocol: "TCP",
                targetType: "ip",
                vpcId: args.vpcId,
                healthCheck: { protocol: "TCP", port: String(port), interval: 30, healthyThreshold: 3, unhealthyThreshold: 3 },
                tags,
            },
            child,
        );
        // The primary's interface: an RDS interface carrying the instance's security group (used by
        // nothing else) in the primary's availability zone (the standby's is in another). Looked up
        // after the instance exists; in a preview of a new stack it is unknown. After a failover the
        // retargeting Lambda moves the target (failover/); the next deploy recomputes it.
        const targetIp = pulumi.all([args.instance.availabilityZone, args.dbSecurityGroupId]).apply(async ([primaryAz, sgId]) => {
            const enis = await aws.ec2.getNetworkInterfaces(
                { filters: [{ name: "group-id", values: [sgId] }, { name: "description", values: ["RDSNetworkInterface"] }] },
                { parent: this },
            );
            const details = await Promise.all(enis.ids.map((id) => aws.ec2.getNetworkInterface({ id }, { parent: this })));
            const found = details.map((d) => ({ id: d.id, availabilityZone: d.availabilityZone, privateIp: d.privateIp }));
            return primaryInterface(found, primaryAz, `security group ${sgId}`).privateIp;
        });
        this.target = new aws.lb.TargetGroupAttachment(`${name}-target`, { targetGroupArn: this.targetGroup.arn, targetId: targetIp, port }, child);
        const listener = new aws.lb.Listener(
            `${name}-listener`,
            {
                loadBalancerArn: this.loadBalancer.arn,
                port,
                protocol: "TCP",
                defaultActions: [{ type: "forward", targetGroupArn: this.targetGroup.arn }],
                tags,
            },
            child,
        );

        this.endpointService = new aws.ec2.VpcEndpointService(
            `${name}-service`,
            {
                networkLoadBalancerArns: [this.loadBalancer.arn],
                // Every connection is accepted explicitly below, for the access point's endpoint only.
                acceptanceRequired: true,
                allowedPrincipals: pulumi.output(args.gateway.principalArn).apply(endpointServicePrincipals),
                tags,
            },
            { parent: this, dependsOn: [listener] },
        );

        this.accessPoint = new confluent.AccessPoint(
            `${name}-access-point`,
            {
                displayName: `${namePrefix}-mysql`,
                environment: { id: args.gateway.environmentId },
                gateway: { id: args.gateway.gatewayId },
                awsEgressPrivateLinkEndpoint: {
                    vpcEndpointServiceName: this.endpointService.serviceName,
                    enableHighAvailability: args.highAvailability,
                },
            },
            { parent: this, dependsOn: [this.endpointService] },
        );
        this.connectionAccepter = new aws.ec2.VpcEndpointConnectionAccepter(
            `${name}-accept`,
            {
                vpcEndpointServiceId: this.endpointService.id,
                vpcEndpointId: this.accessPoint.awsEgressPrivateLinkEndpoint.apply((e) => e?.vpcEndpointId ?? ""),
            },
            child,
        );

        // Connectors resolve the RDS host name to the access point inside Confluent's network.
        this.dnsRecord = new confluent.DnsRecord(
            `${name}-dns`,
            {
                displayName: `${namePrefix}-mysql`,
                environment: { id: args.gateway.environmentId },
                domain: args.instance.address,
                gateway: { id: args.gateway.gatewayId },
                privateLinkAccessPoint: { id: this.accessPoint.id },
            },
            { parent: this, dependsOn: [this.connectionAccepter] },
        );

        this.retarget = new PrivateLinkRetarget(
            `${name}-retarget`,
            {
                namePrefix,
                instance: args.instance,
                targetGroup: this.targetGroup,
                port,
                vpcId: args.vpcId,
                subnetIds: args.subnetIds,
                logRetentionDays: args.highAvailability ? 365 : 30,
                tags,
            },
            { parent: this, dependsOn: [this.target] },
        );

        this.registerOutputs({
            endpointServiceName: this.endpointService.serviceName,
            accessPointId: this.accessPoint.id,
            dnsRecordId: this.dnsRecord.id,
        });
    }
}
