// Issue 22, item 11: prod never lands in the default VPC. The config check requires mysql.vpcId and
// mysql.subnetIds (test/config.test.ts); the preview checks them against AWS (the VPC is not the
// default one, each subnet is in it and assigns no public IPs), and the policy pack refuses a prod
// RDS instance whose subnet group the program did not verify private.
import { strict as assert } from "assert";
import { checkResources } from "../policy/rules";
import { inventoryPolicySubjects } from "../scripts/inventory";
import { runStack } from "./support/harness";

const SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup";

describe("prod network placement (issue 22, item 11)", function () {
    this.timeout(120_000);

    it("prod: the RDS subnet group holds the configured private subnets, marked verified; the policy passes", async () => {
        const run = await runStack("prod");
        const group = run.one(SUBNET_GROUP);
        assert.deepEqual(group.inputs.subnetIds, ["subnet-0a1b2c3d4e5f60711", "subnet-0a1b2c3d4e5f60712", "subnet-0a1b2c3d4e5f60713"]);
        assert.equal(group.inputs.tags.networkPlacement, "private-subnets");
        assert.ok(run.invokes.some((i) => i.token === "aws:ec2/getVpc:getVpc" && i.inputs.id === "vpc-0a1b2c3d4e5f60718"), "the VPC is looked up by id");
        assert.ok(!run.invokes.some((i) => i.token === "aws:ec2/getVpc:getVpc" && i.inputs.default === true), "prod never asks for the default VPC");
        assert.deepEqual(checkResources(inventoryPolicySubjects(run)).filter((v) => v.policy === "prod-rds-private-subnets"), []);
    });

    it("dev keeps the default VPC, and says so on the subnet group", async () => {
        const run = await runStack("dev");
        assert.equal(run.one(SUBNET_GROUP).inputs.tags.networkPlacement, "default-vpc");
    });

    it("prod with a public subnet fails the preview naming mysql.subnetIds and the subnet", async () => {
        await assert.rejects(
            runStack("prod", { fresh: true, invokes: { "aws:ec2/getSubnet:getSubnet": (i) => ({ id: i.id, vpcId: "vpc-0a1b2c3d4e5f60718", availabilityZoneId: "euc1-az1", mapPublicIpOnLaunch: i.id.endsWith("2") }) } }),
            /lifesci-streaming:mysql\.subnetIds: subnet-0a1b2c3d4e5f60712 assigns public IPs on launch/,
        );
    });

    it("prod pointed at the default VPC fails the preview naming mysql.vpcId", async () => {
        await assert.rejects(
            runStack("prod", { fresh: true, invokes: { "aws:ec2/getVpc:getVpc": (i) => ({ id: i.id, cidrBlock: "172.31.0.0/16", default: true }) } }),
            /lifesci-streaming:mysql\.vpcId: vpc-0a1b2c3d4e5f60718 is the account's default VPC/,
        );
    });
});
