// The preview's check that a private subnet really has a way to the internet.
import { strict as assert } from "assert";
import { internetRouteProblem } from "./internetRoute";

const local = { cidrBlock: "10.10.0.0/16", gatewayId: "local" };

describe("network: a private subnet's route to the internet", () => {
    it("a default route through a NAT gateway, transit gateway, Cloud WAN, appliance interface, NAT instance, GWLB endpoint or VPN gateway passes", () => {
        for (const route of [
            { natGatewayId: "nat-0a" },
            { transitGatewayId: "tgw-0a" },
            { coreNetworkArn: "arn:aws:networkmanager::1:core-network/core-network-0a" },
            { networkInterfaceId: "eni-0a" },
            { instanceId: "i-0a" },
            { vpcEndpointId: "vpce-0a" },
            { gatewayId: "vgw-0a" },
        ]) {
            assert.equal(internetRouteProblem("subnet-1", "rtb-1", [local, { cidrBlock: "0.0.0.0/0", ...route }]), undefined, JSON.stringify(route));
        }
    });

    it("an internet gateway gives a workload without a public IP no way out", () => {
        assert.equal(
            internetRouteProblem("subnet-1", "rtb-1", [local, { cidrBlock: "0.0.0.0/0", gatewayId: "igw-0a" }]),
            "subnet subnet-1 (route table rtb-1) sends 0.0.0.0/0 to igw-0a: without a public IP nothing gets out through an internet gateway",
        );
    });

    it("no default route at all, or only a narrower route through a NAT, is refused", () => {
        assert.equal(internetRouteProblem("subnet-2", "rtb-2", [local]), "subnet subnet-2 (route table rtb-2) has no default route (0.0.0.0/0)");
        assert.match(internetRouteProblem("subnet-2", "rtb-2", [local, { cidrBlock: "52.0.0.0/8", natGatewayId: "nat-0a" }])!, /no default route/);
    });
});
