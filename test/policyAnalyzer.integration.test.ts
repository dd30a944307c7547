// The policy pack in its real analyzer server (as `pulumi preview --policy-pack policy` runs it),
// fed the resources the mock engine recorded for each stack: no violation on the real stacks,
// and a mandatory violation, naming the resource, on each broken copy. One analyzer per file.
//
// Adding a mandatory rule? Add a broken copy below that only it catches.
import { strict as assert } from "assert";
import { StackRun, runStack } from "./support/harness";
import { AnalyzedResource, Diagnostic, PolicyAnalyzer, analyzedResources } from "./support/policyAnalyzer";

type Props = Record<string, any>;

/** A deep copy of a run's resources with `change` applied to the inputs and state of every resource of `type`. */
function breakEvery(resources: AnalyzedResource[], type: string, change: (props: Props, r: AnalyzedResource) => void): { resources: AnalyzedResource[]; urns: string[] } {
    const copy: AnalyzedResource[] = JSON.parse(JSON.stringify(resources));
    const hit = copy.filter((r) => r.type === type);
    assert.ok(hit.length > 0, `no ${type} to break`);
    const touched: string[] = [];
    for (const r of hit) {
        const before = JSON.stringify(r);
        change(r.inputs as Props, r);
        change(r.state as Props, r);
        if (JSON.stringify(r) !== before) touched.push(r.urn);
    }
    assert.ok(touched.length > 0, `nothing of ${type} changed`);
    return { resources: copy, urns: touched };
}

function without(resources: AnalyzedResource[], type: string, name?: RegExp): { resources: AnalyzedResource[]; urns: string[] } {
    const gone = resources.filter((r) => r.type === type && (!name || name.test(r.name)));
    assert.ok(gone.length > 0, `no ${type} to remove`);
    return { resources: resources.filter((r) => !gone.includes(r)), urns: [] };
}

interface BrokenCopy {
    policy: string;
    stack: "dev" | "prod";
    breakIt(resources: AnalyzedResource[]): { resources: AnalyzedResource[]; urns: string[] };
}

const BROKEN: BrokenCopy[] = [
    // The workloads' AWS API endpoints (network.awsApiAccess endpoints): one without its policy.
    {
        policy: "aws-api-endpoint-guarded",
        stack: "prod",
        breakIt: (rs) =>
            breakEvery(rs, "aws:ec2/vpcEndpoint:VpcEndpoint", (p, r) => {
                if (r.name === "aws-api-endpoints-secretsmanager") delete p.policy;
            }),
    },
    // HTTPS from anywhere into the Streams tasks (not the MySQL port, which db-port-not-public guards).
    {
        policy: "no-world-ingress",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "aws:ec2/securityGroup:SecurityGroup", (p, r) => {
                if (r.name === "streams-batch-release-sg") p.ingress = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }];
            }),
    },
    { policy: "ecs-task-not-public", stack: "prod", breakIt: (rs) => breakEvery(rs, "aws:ecs/service:Service", (p) => void (p.networkConfiguration.assignPublicIp = true)) },
    {
        policy: "ecs-no-plaintext-secret",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "aws:ecs/taskDefinition:TaskDefinition", (p) => {
                const containers = JSON.parse(p.containerDefinitions);
                containers[0].environment.push({ name: "KAFKA_SASL_PASSWORD", value: "leaked" });
                p.containerDefinitions = JSON.stringify(containers);
            }),
    },
    {
        policy: "streams-least-privilege",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "confluentcloud:index/roleBinding:RoleBinding", (p, r) => {
                if (r.name === "streams-batch-release-identity-internal-topics-manage") p.roleName = "ResourceOwner";
            }),
    },
    { policy: "rds-storage-encrypted", stack: "dev", breakIt: (rs) => breakEvery(rs, "aws:rds/instance:Instance", (p) => void (p.storageEncrypted = false)) },
    { policy: "rds-backup-retention", stack: "dev", breakIt: (rs) => breakEvery(rs, "aws:rds/instance:Instance", (p) => void (p.backupRetentionPeriod = 0)) },
    {
        policy: "cdc-binlog-row-full",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "aws:rds/parameterGroup:ParameterGroup", (p) => {
                for (const param of p.parameters ?? []) if (param.name === "binlog_format") param.value = "MIXED";
            }),
    },
    {
        policy: "db-port-not-public",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "aws:ec2/securityGroup:SecurityGroup", (p) => {
                for (const rule of p.ingress ?? []) rule.cidrBlocks = [...(rule.cidrBlocks ?? []), "0.0.0.0/0"];
            }),
    },
    {
        policy: "connector-credentials-sensitive",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "confluentcloud:index/connector:Connector", (p) => {
                if (p.configNonsensitive?.["connector.class"] === "MySqlCdcSourceV2") p.configNonsensitive["database.password"] = "copied-out-of-configSensitive";
            }),
    },
    { policy: "prod-deletion-protection", stack: "prod", breakIt: (rs) => breakEvery(rs, "aws:rds/instance:Instance", (_p, r) => void (r.protect = false)) },
    { policy: "s3-bucket-encrypted", stack: "dev", breakIt: (rs) => without(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration") },
    {
        policy: "s3-no-public-access",
        stack: "dev",
        breakIt: (rs) => breakEvery(rs, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", (p) => void (p.restrictPublicBuckets = false)),
    },
    { policy: "audit-bucket-object-lock", stack: "dev", breakIt: (rs) => without(rs, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration") },
    { policy: "snowflake-key-pair-auth", stack: "dev", breakIt: (rs) => breakEvery(rs, "snowflake:index/serviceUser:ServiceUser", (p) => void delete p.rsaPublicKey) },
    // Issue 14: the trust boundary.
    {
        policy: "db-port-not-public",
        stack: "prod",
        // Two halves of the internet, each "only" a /1: the union is what counts.
        breakIt: (rs) =>
            breakEvery(rs, "aws:ec2/securityGroup:SecurityGroup", (p, r) => {
                if (r.name === "mysql-sg") p.ingress = [...(p.ingress ?? []), { protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }];
            }),
    },
    { policy: "prod-database-not-public", stack: "prod", breakIt: (rs) => breakEvery(rs, "aws:rds/instance:Instance", (p) => void (p.publiclyAccessible = true)) },
    {
        policy: "mysql-require-secure-transport",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "aws:rds/parameterGroup:ParameterGroup", (p) => {
                p.parameters = (p.parameters ?? []).filter((param: Props) => param.name !== "require_secure_transport");
            }),
    },
    {
        policy: "cdc-connector-verifies-tls",
        stack: "prod",
        breakIt: (rs) =>
            breakEvery(rs, "confluentcloud:index/connector:Connector", (p) => {
                if (p.configNonsensitive?.["connector.class"] === "MySqlCdcSourceV2") p.configNonsensitive["database.ssl.mode"] = "required";
            }),
    },
    {
        policy: "no-admin-role-for-workloads",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "confluentcloud:index/roleBinding:RoleBinding", (p, r) => {
                if (r.name.startsWith("streaming-topic-manager-")) p.roleName = "CloudClusterAdmin";
            }),
    },
    // Issue 22, item 8: the staging bucket's policy without its write guard (TLS only).
    {
        policy: "audit-staging-write-guard",
        stack: "prod",
        breakIt: (rs) =>
            breakEvery(rs, "aws:s3/bucketPolicy:BucketPolicy", (p) => {
                const doc = typeof p.policy === "string" ? JSON.parse(p.policy) : undefined;
                if (doc?.Statement?.some((st: Props) => st.Sid === "OnlyAuditSinkWritesAudit")) p.policy = JSON.stringify({ ...doc, Statement: doc.Statement.filter((st: Props) => st.Sid !== "OnlyAuditSinkWritesAudit") });
            }),
    },
    // Issue 22, item 9: the archive key's policy without the break-glass guard.
    {
        policy: "audit-archive-key-protected",
        stack: "prod",
        breakIt: (rs) =>
            breakEvery(rs, "aws:kms/key:Key", (p) => {
                const doc = typeof p.policy === "string" ? JSON.parse(p.policy) : undefined;
                if (doc) p.policy = JSON.stringify({ ...doc, Statement: doc.Statement.filter((st: Props) => st.Effect !== "Deny") });
            }),
    },
    // Issue 22, item 5: the RDS events rule is gone, so a failover strands the NLB on the old primary.
    { policy: "prod-privatelink-failover-retarget", stack: "prod", breakIt: (rs) => without(rs, "aws:cloudwatch/eventRule:EventRule", /retarget-rds-events$/) },
    // Issue 22, item 11: prod RDS in subnets the program did not verify private (the default VPC's).
    {
        policy: "prod-rds-private-subnets",
        stack: "prod",
        breakIt: (rs) => breakEvery(rs, "aws:rds/subnetGroup:SubnetGroup", (p) => void (p.tags = { ...(p.tags ?? {}), networkPlacement: "default-vpc" })),
    },
    // Issue 22, item 2: a connector writes a topic nobody created (here the signal table's).
    { policy: "connector-topics-created", stack: "prod", breakIt: (rs) => without(rs, "confluentcloud:index/kafkaTopic:KafkaTopic", /lifesci_cdc_signal$/) },
    {
        policy: "iam-trust-external-id",
        stack: "dev",
        breakIt: (rs) =>
            breakEvery(rs, "aws:iam/role:Role", (p) => {
                const doc = typeof p.assumeRolePolicy === "string" ? JSON.parse(p.assumeRolePolicy) : p.assumeRolePolicy;
                if (!doc) return;
                for (const st of [].concat(doc.Statement ?? [])) delete (st as Props).Condition;
                p.assumeRolePolicy = JSON.stringify(doc);
            }),
    },
];

describe("policy pack in its analyzer server, fed the recorded stacks", function () {
    this.timeout(120_000);
    let analyzer: PolicyAnalyzer;
    const runs: Record<string, StackRun> = {};

    before(async () => {
        const starting = PolicyAnalyzer.start();
        runs.dev = await runStack("dev");
        runs.prod = await runStack("prod");
        analyzer = await starting;
    });
    after(() => analyzer?.stop());

    it("serves the pack's policies with their levels, every mandatory one covered by a broken copy here", async () => {
        const info = await analyzer.info();
        assert.equal(info.name, "lifesci-streaming");
        const mandatory = info.policies.filter((p) => p.level === "mandatory").map((p) => p.name).sort();
        assert.ok(mandatory.length >= 9, `mandatory policies: ${mandatory}`);
        assert.deepEqual(mandatory.filter((name) => !BROKEN.some((b) => b.policy === name)), [], "mandatory policies without a broken copy");
    });

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: no violation, mandatory or advisory`, async () => {
            const diagnostics = await analyzer.analyzeRun(analyzedResources(runs[stack]));
            assert.deepEqual(diagnostics.map((d) => `${d.level} ${d.policy} ${d.urn}: ${d.message}`), []);
        });
    }

    for (const broken of BROKEN) {
        it(`${broken.stack} broken for ${broken.policy}: a mandatory violation naming the resource`, async () => {
            const { resources, urns } = broken.breakIt(analyzedResources(runs[broken.stack]));
            // The unchanged resources pass (the test above); Analyze the changed ones, AnalyzeStack all.
            const diagnostics: Diagnostic[] = await analyzer.analyzeRun(resources, urns);
            const hits = diagnostics.filter((d) => d.policy === broken.policy);
            assert.ok(hits.length > 0, `${broken.policy} not reported; got ${JSON.stringify(diagnostics)}`);
            assert.ok(hits.every((d) => d.level === "mandatory"), JSON.stringify(hits));
            for (const urn of urns) assert.ok(hits.some((d) => d.urn === urn || d.message.includes(urn.split("::").pop()!)), `no violation names ${urn}: ${JSON.stringify(hits)}`);
        });
    }
});
