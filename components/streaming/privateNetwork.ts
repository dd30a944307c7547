// prod's Confluent Cloud network (connection type PRIVATELINK): the dedicated cluster lives in it,
// so its Kafka, Kafka REST and ksqlDB endpoints are private. Ingress: PrivateLink access for our AWS
// account, an interface endpoint in the VPC where `pulumi up` runs, and a private hosted zone for the
// network's DNS domain. Egress: the network's gateway, which the RDS access point uses.
// Docs: https://docs.confluent.io/cloud/current/networking/private-links/aws-privatelink.html
//       https://docs.confluent.io/cloud/current/networking/aws-egress-privatelink.html
// Shapes: terraform-provider-confluent examples/configurations/dedicated-privatelink-aws-kafka-rbac.
import * as aws from "@pulumi/aws";
import * as confluent from "@pulumi/confluentcloud";
import * as pulumi from "@pulumi/pulumi";

/** The egress side of a Confluent network: its gateway and the IAM principal it connects as. */
export interface ConfluentEgressGateway {
    environmentId: pulumi.Input<string>;
    gatewayId: pulumi.Input<string>;
    principalArn: pulumi.Input<string>;
}

/** Ports a client in the VPC uses through the endpoint: HTTPS (Kafka REST, ksqlDB, SR) and Kafka. */
export const PRIVATELINK_INGRESS_PORTS = [443, 9092] as const;

export interface ConfluentPrivateNetworkArgs {
    namePrefix: string;
    environmentId: pulumi.Input<string>;
    region: string;
    /** AWS account whose VPC connects in (the deployer's). */
    awsAccountId: pulumi.Input<string>;
    vpcId: pulumi.Input<string>;
    /** One subnet per zone the network spans; the interface endpoint gets one address in each. */
    subnetIds: pulumi.Input<string[]>;
    /** The security groups of the in-VPC runners that run `pulumi`. */
    clientSecurityGroupIds: string[];
    /** Security groups of the platform's own workloads in the VPC (the Kafka Streams tasks), admitted by reference. */
    workloadSecurityGroups?: { label: string; id: pulumi.Input<string> }[];
    tags: Record<string, string>;
    protect: boolean;
}

export class ConfluentPrivateNetwork extends pulumi.ComponentResource {
    readonly network: confluent.Network;
    readonly access: confluent.PrivateLinkAccess;
    readonly endpoint: aws.ec2.VpcEndpoint;
    /** The endpoint's security group: workloads allow egress to it by reference. */
    readonly endpointSecurityGroup: aws.ec2.SecurityGroup;
    readonly zone: aws.route53.Zone;
    readonly egress: ConfluentEgressGateway;
    /** What must exist before anything talks to the cluster's private endpoints. */
    readonly ready: pulumi.Resource[];

    constructor(name: string, args: ConfluentPrivateNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:streaming:ConfluentPrivateNetwork", name, {}, opts);
        const { namePrefix, tags } = args;
        const child = { parent: this };

        // Confluent zones are AZ ids (euc1-az1); take them from the subnets so both sides line up.
        const zones = pulumi.output(args.subnetIds).apply((ids) =>
            Promise.all(ids.map(async (id) => (await aws.ec2.getSubnet({ id }, { parent: this })).availabilityZoneId)),
        );
        this.network = new confluent.Network(
            `${name}-network`,
            {
                displayName: `${namePrefix}-privatelink`,
                cloud: "AWS",
                region: args.region,
                connectionTypes: ["PRIVATELINK"],
                zones,
                environment: { id: args.environmentId },
                // Endpoints resolve only through our private zone, never to public records.
                dnsConfig: { resolution: "PRIVATE" },
            },
            { parent: this, protect: args.protect },
        );
        this.access = new confluent.PrivateLinkAccess(
            `${name}-access`,
            {
                displayName: `${namePrefix}-deployer-vpc`,
                aws: { account: args.awsAccountId },
                environment: { id: args.environmentId },
                network: { id: this.network.id },
            },
            child,
        );

        const endpointSg = (this.endpointSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-endpoint-sg`,
            {
                name: `${namePrefix}-confluent-endpoint`,
                description: "Confluent Cloud PrivateLink endpoint: HTTPS and Kafka from the deploy runners only",
                vpcId: args.vpcId,
                ingress: [
                    ...PRIVATELINK_INGRESS_PORTS.map((port) => ({
                        protocol: "tcp",
                        fromPort: port,
                        toPort: port,
                        securityGroups: args.clientSecurityGroupIds,
                        description: `port ${port} from the deploy runners`,
                    })),
                    ...(args.workloadSecurityGroups ?? []).flatMap((w) =>
                        PRIVATELINK_INGRESS_PORTS.map((port) => ({
                            protocol: "tcp",
                            fromPort: port,
                            toPort: port,
                            securityGroups: [w.id],
                            description: `port ${port} from ${w.label}`,
                        })),
                    ),
                ],
                egress: [],
                tags,
            },
            child,
        ));
        this.endpoint = new aws.ec2.VpcEndpoint(
            `${name}-endpoint`,
            {
                vpcId: args.vpcId,
                serviceName: this.network.aws.apply((a) => a[0]?.privateLinkEndpointService ?? ""),
                vpcEndpointType: "Interface",
                subnetIds: args.subnetIds,
                securityGroupIds: [endpointSg.id],
                privateDnsEnabled: false,
                tags,
            },
            { parent: this, dependsOn: [this.access] },
        );

        this.zone = new aws.route53.Zone(
            `${name}-zone`,
            { name: this.network.dnsDomain, vpcs: [{ vpcId: args.vpcId }], comment: `${namePrefix} Confluent Cloud private endpoints`, tags },
            child,
        );
        const record = new aws.route53.Record(
            `${name}-wildcard`,
            {
                zoneId: this.zone.zoneId,
                name: "*",
                type: "CNAME",
                ttl: 60,
                records: [this.endpoint.dnsEntries.apply((entries) => entries[0]?.dnsName ?? "")],
            },
            child,
        );

        // A dedicated cluster's network has one gateway; its egress principal is the IAM role
        // Confluent connects to endpoint services as.
        const gatewayId = this.network.gateways.apply((g) => {
            if (!g[0]?.id) throw new Error(`Confluent network ${name} reports no gateway for Egress PrivateLink`);
            return g[0].id;
        });
        const gateway = confluent.getGatewayOutput({ id: gatewayId, environment: { id: args.environmentId } }, child);
        this.egress = {
            environmentId: args.environmentId,
            gatewayId,
            principalArn: gateway.awsEgressPrivateLinkGateways.apply((g) => {
                if (!g[0]?.principalArn) throw new Error(`Confluent gateway of ${name} has no AWS egress principal`);
                return g[0].principalArn;
            }),
        };
        this.ready = [this.access, this.endpoint, record];
        this.registerOutputs({ networkId: this.network.id, dnsDomain: this.network.dnsDomain, endpointId: this.endpoint.id });
    }
}
