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

/**
 * The subnet ids, once every subnet's route table has a route to the internet; the preview fails
 * otherwise, naming the config key that promised the route (`blamedKey`).
 */
export function subnetsWithInternetRoute(subnetIds: pulumi.Input<string[]>, blamedKey: string, opts: pulumi.InvokeOptions): pulumi.Output<string[]> {
    return pulumi.output(subnetIds).apply(async (ids) => {
        const problems: string[] = [];
        for (const id of ids) {
            const table = await aws.ec2.getRouteTable({ subnetId: id }, opts);
            const problem = internetRouteProblem(id, table.routeTableId, table.routes);
            if (problem) problems.push(problem);
        }
        if (problems.length > 0) {
            throw new Error(
                `${blamedKey}: the workloads' private subnets (mysql.subnetIds) must route to the internet through a NAT gateway, but ${problems.join("; ")}. ` +
                    "Add a NAT gateway route to those route tables (the program never creates one: the VPC is yours)",
            );
        }
        return ids;
    });
}
