// The tier defaults table: whatever a stack leaves out, the defaults of its tier pass every
// cross-field check, on either target, and a key the stack sets wins over its default.
import { strict as assert } from "assert";
import fc from "fast-check";
import { parsePlatformConfig } from ".";
import { TIER_DEFAULTS, TierDefaults } from "./tiers";
import { RawConfig, tierOfStackName } from "./loader";

/** The smallest config a stack can have: target, tier and where alerts go, plus what target cloud requires. */
function minimal(tier: "dev" | "prod", target: "cloud" | "local", stack: string, region: string): RawConfig {
    const monitoring = { contact: { type: "email", emails: ["oncall@lifesci.example.com"] }, ...(target === "cloud" ? { grafanaStackSlug: "lifesci" } : {}) };
    const values: Record<string, string> = {
        "lifesci-streaming:target": target,
        "lifesci-streaming:tier": tier,
        "lifesci-streaming:monitoring": JSON.stringify(monitoring),
    };
    if (target === "cloud") {
        values["aws:region"] = region;
        values["snowflake:organizationName"] = "PHARMA";
        values["snowflake:accountName"] = "STREAMING";
        // prod's private network has no default for the one thing only the operator knows:
        // the security group of the runner inside the VPC that runs pulumi.
        // and (issue 22) its VPC and private subnets, and the archive key's break-glass role.
        if (tier === "prod") {
            values["lifesci-streaming:mysql"] = JSON.stringify({ deployerSecurityGroupIds: ["sg-0abc1234"], vpcId: "vpc-0abc1234", subnetIds: ["subnet-0a1", "subnet-0a2"] });
            // Whether the prod VPC has a NAT gateway is the operator's fact too (network.awsApiAccess).
            values["lifesci-streaming:network"] = JSON.stringify({ awsApiAccess: "nat" });
        }
        values["lifesci-streaming:lake"] = JSON.stringify({ breakGlassRoleArn: "arn:aws:iam::123456789012:role/break-glass" });
        // dev's public database sits in internet-gateway subnets: its tasks need private subnets of their own.
        if (tier === "dev") values["lifesci-streaming:network"] = JSON.stringify({ workloadSubnetIds: ["subnet-0d1"] });
    }
    return { project: "lifesci-streaming", stack, values, secretKeys: new Set() };
}

// A name that promises a tier (`prod`, `eu-prod`) must run it: see tierOfStackName.
const stackName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/).filter((name) => tierOfStackName(name) === undefined);
const region = fc.constantFrom("eu-central-1", "eu-west-1", "us-east-1", "us-west-2", "ap-southeast-2");

describe("config: tier defaults", () => {
    it("every tier's defaults pass the cross-field checks, for any stack name, region and target", () => {
        fc.assert(
            fc.property(fc.constantFrom("dev" as const, "prod" as const), fc.constantFrom("cloud" as const, "local" as const), stackName, region, (tier, target, stack, r) => {
                const cfg = parsePlatformConfig(minimal(tier, target, stack, r));
                assert.equal(cfg.tier, tier);
                assert.equal(cfg.namePrefix, `lifesci-${stack}`);
                // Every default of the table reached the resolved config.
                for (const section of Object.keys(TIER_DEFAULTS[tier]) as (keyof TierDefaults)[]) {
                    for (const [key, value] of Object.entries(TIER_DEFAULTS[tier][section])) {
                        if (section === "lake" && (key === "auditLockDays" || key === "auditLockYears" || key === "breakGlassRoleArn")) continue;
                        if (section === "mysql" && key === "deployerSecurityGroupIds" && tier === "prod" && target === "cloud") continue; // set by minimal()
                        assert.deepEqual((cfg[section] as Record<string, unknown>)[key], value, `${tier} ${section}.${key}`);
                    }
                }
            }),
            { numRuns: 40 },
        );
    });

    it("a key the stack sets wins over its tier default; the others keep theirs", () => {
        fc.assert(
            fc.property(fc.constantFrom("dev" as const, "prod" as const), fc.integer({ min: 1, max: 100 }), (tier, partitions) => {
                const raw = minimal(tier, "local", "t", "eu-central-1");
                raw.values["lifesci-streaming:topics"] = JSON.stringify({ partitions });
                const cfg = parsePlatformConfig(raw);
                assert.equal(cfg.topics.partitions, partitions);
                assert.equal(cfg.topics.retentionHours, TIER_DEFAULTS[tier].topics.retentionHours);
            }),
            { numRuns: 20 },
        );
    });

    it("the audit lock default applies only when the stack sets neither unit", () => {
        const raw = minimal("dev", "local", "t", "eu-central-1");
        assert.deepEqual([parsePlatformConfig(raw).lake.auditLockDays, parsePlatformConfig(raw).lake.auditLockYears], [7, undefined]);
        raw.values["lifesci-streaming:lake"] = JSON.stringify({ auditLockYears: 2 });
        assert.deepEqual([parsePlatformConfig(raw).lake.auditLockDays, parsePlatformConfig(raw).lake.auditLockYears], [undefined, 2]);
    });
});
