// With a NAT as the way out (network.awsApiAccess nat, or internetEgress nat), the preview checks
// that each of the workloads' private subnets really routes 0.0.0.0/0 through something that
// translates addresses, instead of letting the first Fargate task fail with
// CannotPullContainerError after the deploy waited for a steady state.
//   A task or function without a public IP gets no egress through an internet gateway:
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-networking.html
//     https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc-internet.html
//   Route targets: https://docs.aws.amazon.com/vpc/latest/userguide/route-table-options.html
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The fields of a route this check reads (a subset of aws.ec2.GetRouteTableRoute). */
export type RouteView = Partial<Record<"cidrBlock" | "natGatewayId" | "transitGatewayId" | "networkInterfaceId" | "vpcEndpointId" | "coreNetworkArn" | "gatewayId" | "instanceId", string>>;

/**
 * Why a private subnet's route table gives a workload without a public IP no way to the
 * internet; undefined when its default route goes through a NAT gateway, a transit gateway or
 * Cloud WAN (central egress), a network interface/instance (NAT instance, firewall appliance) or
 * a Gateway Load Balancer endpoint (inspection), or a virtual private gateway (egress on premises).
 */
export function internetRouteProblem(subnetId: string, routeTableId: string, routes: readonly RouteView[]): string | undefined {
    const defaults = routes.filter((r) => r.cidrBlock === "0.0.0.0/0");
    if (defaults.length === 0) return `subnet ${subnetId} (route table ${routeTableId}) has no default route (0.0.0.0/0)`;
    const through = (r: RouteView) => r.natGatewayId || r.transitGatewayId || r.coreNetworkArn || r.networkInterfaceId || r.instanceId || r.vpcEndpointId || (r.gatewayId?.startsWith("vgw-") ? r.gatewayId : undefined);
    if (defaults.some(through)) return undefined;
    const targets = defaults.map((r) => r.gatewayId || "an unsupported target").join(", ");
    return `subnet ${subnetId} (route table ${routeTableId}) sends 0.0.0.0/0 to ${targets}: without a public IP nothing gets out through an internet gateway`;
}

export interface WorkloadSubnetCheck {
    subnetIds: pulumi.Input<string[]>;
    /** The config key that lists them (`mysql.subnetIds` or `network.workloadSubnetIds`), for messages. */
    subnetsKey: string;
    /** When given, each subnet must be in this VPC (the workloads' security groups live there). */
    vpcId?: pulumi.Input<string>;
    /** The full config key that promised a NAT (awsApiAccess nat / internetEgress nat); unset: no route check. */
    routeKey?: string;
}

/**
 * The subnet ids, once each is in the VPC and (with routeKey) its route table has a way to the
 * internet; otherwise the preview fails, each problem naming the key it comes from.
 */
export function checkedWorkloadSubnets(check: WorkloadSubnetCheck, opts: pulumi.InvokeOptions): pulumi.Output<string[]> {
    return pulumi.all([check.subnetIds, check.vpcId]).apply(async ([ids, vpcId]) => {
        const problems: string[] = [];
        const outsideVpc: string[] = [];
        const noRoute: string[] = [];
        // The lookups run side by side (one AWS call each at preview), the problems in subnet order.
        const found = await Promise.all(
            ids.map(async (id) => ({
                id,
                subnet: vpcId !== undefined ? await aws.ec2.getSubnet({ id }, opts) : undefined,
                table: check.routeKey ? await aws.ec2.getRouteTable({ subnetId: id }, opts) : undefined,
            })),
        );
        for (const { id, subnet, table } of found) {
            if (subnet && subnet.vpcId !== vpcId) outsideVpc.push(`${id} is in ${subnet.vpcId}`);
            const problem = table ? internetRouteProblem(id, table.routeTableId, table.routes) : undefined;
            if (problem) noRoute.push(problem);
        }
        if (outsideVpc.length > 0) {
            problems.push(`lifesci-streaming:${check.subnetsKey}: ${outsideVpc.join("; ")}, not in the database's VPC ${vpcId} (mysql.vpcId, or the default VPC when it is unset)`);
        }
        if (noRoute.length > 0) {
            problems.push(
                `${check.routeKey}: the workloads' private subnets (${check.subnetsKey}) must route to the internet through a NAT gateway, but ${noRoute.join("; ")}. ` +
                    "Add a NAT gateway route to those route tables (the program never creates one: the VPC is yours)",
            );
        }
        if (problems.length > 0) throw new Error(problems.join("\n"));
        return ids;
    });
}
