// Each policy of the pack, called the way the policy engine calls it (fake args, a
// reportViolation spy), on a compliant and a violating resource set; then the real stacks.
import { strict as assert } from "assert";
import { policies } from "../policy/policies";
import { POLICIES, T, checkResources } from "../policy/rules";
import { inventoryPolicySubjects } from "../scripts/inventory";
import { runStack } from "./support/harness";

interface FakeResource {
    type: string;
    name: string;
    props: Record<string, any>;
    protect?: boolean;
    /** prop -> names of fake resources the value depends on */
    deps?: Record<string, string[]>;
}

const urn = (r: { type: string; name: string }) => `urn:pulumi:test::lifesci-streaming::${r.type}::${r.name}`;

/** Runs one policy of the pack like the engine does and returns what it reported. */
async function runPolicy(name: string, resources: FakeResource[]): Promise<string[]> {
    const policy = policies.find((p) => p.name === name);
    assert.ok(policy, `no policy named ${name} in the pack`);
    const reported: string[] = [];
    const spy = (message: string) => void reported.push(message);
    if ("validateResource" in policy && policy.validateResource) {
        const validate = policy.validateResource as (args: any, report: typeof spy) => Promise<void> | void;
        for (const r of resources) {
            await validate({ type: r.type, name: r.name, urn: urn(r), props: r.props, opts: { protect: r.protect === true } }, spy);
        }
    } else {
        const validate = (policy as { validateStack?: unknown }).validateStack as (args: any, report: typeof spy) => Promise<void> | void;
        const policyResources = resources.map((r) => ({ type: r.type, name: r.name, urn: urn(r), props: r.props, opts: { protect: r.protect === true }, propertyDependencies: {} as Record<string, any[]> }));
        resources.forEach((r, i) => {
            for (const [prop, names] of Object.entries(r.deps ?? {})) {
                policyResources[i].propertyDependencies[prop] = names.map((n) => policyResources.find((p) => p.name === n));
            }
        });
        await validate({ resources: policyResources }, spy);
    }
    return reported;
}

const prodTags = { tier: "prod", stack: "prod" };
const goodRds = { storageEncrypted: true, backupRetentionPeriod: 14, deletionProtection: true, multiAz: true, tags: prodTags };
const bucket = (name: string, props: Record<string, any> = {}): FakeResource => ({ type: T.bucket, name, props: { bucket: `${name}-123`, ...props }, protect: true });
const setting = (type: string, name: string, bucketName: string, props: Record<string, any>): FakeResource => ({ type, name, props, deps: { bucket: [bucketName] } });
const sse = (b: string, algorithm = "aws:kms") => setting(T.bucketEncryption, `${b}-encryption`, b, { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: algorithm } }] });
const allBlocked = { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
const auditBucket = bucket("audit", { objectLockEnabled: true, tags: { purpose: "audit-archive" } });
const lock = (days?: number) => setting(T.bucketObjectLock, "audit-lock", "audit", { objectLockEnabled: "Enabled", rule: days ? { defaultRetention: { mode: "COMPLIANCE", days } } : undefined });
const pg = (params: Record<string, string>) => ({ type: T.rdsParameterGroup, name: "cdc-params", props: { family: "mysql8.0", parameters: Object.entries(params).map(([name, value]) => ({ name, value })) } });
const sg = (cidrs: string[], fromPort = 3306, toPort = 3306) => ({ type: T.securityGroup, name: "mysql-sg", props: { ingress: [{ protocol: "tcp", fromPort, toPort, cidrBlocks: cidrs }] } });
const connector = (nonsensitive: Record<string, string>) => ({ type: T.connector, name: "cdc-sap", props: { configNonsensitive: { "connector.class": "MySqlCdcSourceV2", ...nonsensitive }, configSensitive: { "database.password": "x" } } });
const stagingBucket = bucket("staging", { tags: { purpose: "audit-staging" } });
const stagingPolicy = (doc: string) => setting(T.bucketPolicy, "staging-policy", "staging", { policy: doc });
const tlsOnlyDoc = (arn: string) => JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }] });
const guardedStagingDoc = (condition: Record<string, unknown> = { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::1:role/audit-sink" } }, actions = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"]) =>
    JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: actions, Resource: "arn:aws:s3:::staging-1/audit/*", Condition: condition }] });
const archiveKey = (policy: string): FakeResource => ({ type: T.kmsKey, name: "archive-key", props: { policy, enableKeyRotation: true, tags: { purpose: "audit-archive" } } });
const protectedKeyPolicy = (actions = ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"], ...more: Record<string, unknown>[]) =>
    JSON.stringify({ Statement: [{ Effect: "Deny", Principal: { AWS: "*" }, Action: actions, Resource: "*", Condition: { ArnNotEquals: { "aws:PrincipalArn": "arn:aws:iam::1:role/break-glass" } } }, ...more] });
const accountRoot = { Sid: "EnableIamPolicies", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" };
const keyWriter = (action: string[] = ["kms:GenerateDataKey"], condition: Record<string, unknown> = { StringEquals: { "kms:ViaService": "s3.eu-central-1.amazonaws.com" } }) => ({
    Sid: "EvidenceWriters",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111122223333:role/deploy" },
    Action: action,
    Resource: "*",
    Condition: condition,
});
const KEY_DEFAULT = ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"];
const tamperRule: FakeResource = {
    type: T.eventRule,
    name: "tamper",
    props: { eventPattern: JSON.stringify({ source: ["aws.kms"], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventName: ["ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy"] } }) },
};
const prodDb: FakeResource = { type: T.rdsInstance, name: "db", props: goodRds };
const ipTargetGroup: FakeResource = { type: T.targetGroup, name: "tg", props: { targetType: "ip", port: 3306 } };
const rdsEventRule: FakeResource = { type: T.eventRule, name: "rds-events", props: { name: "retarget-rds-events", eventPattern: JSON.stringify({ source: ["aws.rds"], "detail-type": ["RDS DB Instance Event"] }) } };
const rdsEventTarget: FakeResource = { type: T.eventTarget, name: "rds-target", props: { rule: "retarget-rds-events", arn: "arn:aws:lambda:eu-central-1:1:function:retarget" } };
const retargetFunction = (inVpc = true): FakeResource => ({
    type: T.lambdaFunction,
    name: "retarget",
    props: { vpcConfig: inVpc ? { subnetIds: ["subnet-1"], securityGroupIds: ["sg-1"] } : undefined, environment: { variables: { TARGET_GROUP_ARN: "arn:tg" } } },
});
const cdcWriting = (extra: Record<string, string>): FakeResource =>
    connector({ "topic.prefix": "lifesci.sap", "table.include.list": "sap_orders.sales_orders", "signal.data.collection": "sap_orders.lifesci_cdc_signal", ...extra });
const sinkWriting = (dlq: string): FakeResource => ({ type: T.connector, name: "sink-s3-raw", props: { configNonsensitive: { "connector.class": "S3_SINK", "errors.tolerance": "all", "errors.deadletterqueue.topic.name": dlq } } });

const binding = (name: string, roleName: string, crnPattern: string, account = "sa-workload"): FakeResource => ({ type: T.roleBinding, name, props: { principal: `User:${account}`, roleName, crnPattern } });
const ecsService = (networkConfiguration: Record<string, unknown> | undefined): FakeResource => ({ type: T.ecsService, name: "streams-service", props: { launchType: "FARGATE", networkConfiguration } });
const SECRET_ARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:lifesci-dev/streams/batch_release-AbCdEf";
const taskDefinition = (environment: { name: string; value: string }[], secrets: { name: string; valueFrom: string }[]): FakeResource => ({
    type: T.ecsTaskDefinition,
    name: "task",
    props: { containerDefinitions: JSON.stringify([{ name: "batch-release", image: "x", environment, secrets }]) },
});
const CLUSTER_CRN = "crn://confluent.cloud/organization=o/environment=env-1/cloud-cluster=lkc-1/kafka=lkc-1";
const streamsAccount: FakeResource = { type: T.serviceAccount, name: "streams-sa", props: { description: "Kafka Streams app batch_release (ECS): reads its CDC inputs" } };
const streamsBinding = (name: string, roleName: string, resource: string): FakeResource => ({
    ...binding(name, roleName, resource.startsWith("subject=") ? `crn://confluent.cloud/organization=o/environment=env-1/schema-registry=lsrc-1/${resource}` : `${CLUSTER_CRN}/${resource}`, "sa-streams"),
    deps: { principal: ["streams-sa"] },
});
const ksqlCluster = (account: string): FakeResource => ({ type: T.ksqlCluster, name: "ksql", props: { credentialIdentity: { id: account } } });
const role = (principal: unknown, condition?: Record<string, unknown>): FakeResource => ({
    type: T.iamRole,
    name: "sink-role",
    props: { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: "sts:AssumeRole", ...(condition ? { Condition: condition } : {}) }] }) },
});


/** An AWS API endpoint with its security group and ingress rules (deps name the fake resources). */
const account = "123456789012";
const perimeterPolicy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "ecr:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": account } } }] });
const layerRead = { Sid: "EcrImageLayers", Effect: "Allow", Principal: "*", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::prod-eu-central-1-starport-layer-bucket/*"] };
const endpointSg: FakeResource = { type: T.securityGroup, name: "endpoints-sg", props: { vpcId: "vpc-1" } };
const fromGroup = (name: string, props: Record<string, any> = { referencedSecurityGroupId: "sg-workload" }): FakeResource => ({
    type: T.vpcIngressRule,
    name,
    props: { ipProtocol: "tcp", fromPort: 443, toPort: 443, ...props },
    deps: { securityGroupId: ["endpoints-sg"] },
});
const awsEndpoint = (props: Record<string, any> = {}, name = "ecr-api"): FakeResource => ({
    type: T.vpcEndpoint,
    name,
    props: { serviceName: "com.amazonaws.eu-central-1.ecr.api", vpcEndpointType: "Interface", privateDnsEnabled: true, securityGroupIds: ["sg-endpoints"], policy: perimeterPolicy, ...props },
    deps: { securityGroupIds: ["endpoints-sg"] },
});
const s3Gateway = (statements: unknown[]): FakeResource => ({
    type: T.vpcEndpoint,
    name: "s3",
    props: { serviceName: "com.amazonaws.eu-central-1.s3", vpcEndpointType: "Gateway", routeTableIds: ["rtb-1"], policy: JSON.stringify({ Statement: statements }) },
});

/** Per policy: a compliant resource set and violating ones (with a fragment of the expected message). */
const CASES: Record<string, { pass: FakeResource[][]; fail: [FakeResource[], string][] }> = {
    "rds-storage-encrypted": {
        pass: [[{ type: T.rdsInstance, name: "db", props: goodRds, protect: true }]],
        fail: [[[{ type: T.rdsInstance, name: "db", props: { ...goodRds, storageEncrypted: false } }], "storageEncrypted"]],
    },
    "s3-bucket-encrypted": {
        pass: [[bucket("raw"), sse("raw")], [bucket("raw"), sse("raw", "AES256")]],
        fail: [
            [[bucket("raw")], "no BucketServerSideEncryptionConfiguration"],
            [[bucket("raw"), bucket("other"), sse("other")], "S3 bucket raw"],
        ],
    },
    "s3-no-public-access": {
        pass: [[bucket("raw"), setting(T.bucketPublicAccess, "raw-pab", "raw", allBlocked)]],
        fail: [
            [[bucket("raw")], "no BucketPublicAccessBlock"],
            [[bucket("raw"), setting(T.bucketPublicAccess, "raw-pab", "raw", { ...allBlocked, restrictPublicBuckets: false })], "restrictPublicBuckets must be true"],
            [[bucket("raw", { acl: "public-read" }), setting(T.bucketPublicAccess, "raw-pab", "raw", allBlocked)], "public-read"],
        ],
    },
    "audit-bucket-object-lock": {
        pass: [[auditBucket, lock(3650)], [bucket("raw")]],
        fail: [
            [[auditBucket], "no BucketObjectLockConfiguration"],
            [[auditBucket, lock()], "default retention"],
            [[bucket("audit", { tags: { purpose: "audit-archive" } }), lock(30)], "objectLockEnabled must be true"],
        ],
    },
    "cdc-binlog-row-full": {
        pass: [[pg({ binlog_format: "ROW", binlog_row_image: "FULL" })], [pg({ binlog_format: "row", binlog_row_image: "full" })]],
        fail: [
            [[pg({ binlog_format: "MIXED", binlog_row_image: "FULL" })], "binlog_format must be ROW"],
            [[pg({ binlog_format: "ROW" })], "binlog_row_image must be FULL (got unset)"],
        ],
    },
    "db-port-not-public": {
        pass: [[sg(["3.64.0.0/28"])], [sg(["0.0.0.0/0"], 443, 443)]],
        fail: [
            [[sg(["3.64.0.0/28", "0.0.0.0/0"])], "whole internet"],
            [[sg(["0.0.0.0/0"], 0, 65535)], "whole internet"],
            [[{ type: T.vpcIngressRule, name: "open", props: { ipProtocol: "-1", cidrIpv6: "::/0" } }], "whole internet"],
            [[sg(["10.0.0.0/15"])], "10.0.0.0/15 is broader than /16"],
            [[sg(["0.0.0.0/1", "128.0.0.0/1"])], "together cover the whole internet"],
            // Split over two resources, each narrow enough on its own... it is the union that counts.
            [[{ ...sg(["0.0.0.0/1"]), name: "a" }, { type: T.vpcIngressRule, name: "b", props: { ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv4: "128.0.0.0/1" } }], "across the stack"],
        ],
    },
    "prod-database-not-public": {
        pass: [[{ type: T.rdsInstance, name: "db", props: { ...goodRds, publiclyAccessible: false } }], [{ type: T.rdsInstance, name: "db", props: { ...goodRds, publiclyAccessible: true, tags: { tier: "dev" } } }]],
        fail: [
            [[{ type: T.rdsInstance, name: "db", props: { ...goodRds, publiclyAccessible: true } }], "publiclyAccessible must be false"],
            [[{ type: T.rdsInstance, name: "db", props: goodRds }], "publiclyAccessible must be false"],
        ],
    },
    "audit-staging-write-guard": {
        pass: [[stagingBucket, stagingPolicy(guardedStagingDoc())], [bucket("raw")]],
        fail: [
            [[stagingBucket, stagingPolicy(tlsOnlyDoc("arn:aws:s3:::staging-1"))], "no bucket policy denies PutObject/DeleteObject under the audit prefix"],
            // A guard without an exemption (or exempting a wildcard) is not a guard of the sink's prefix.
            [[stagingBucket, stagingPolicy(guardedStagingDoc({ ArnNotLike: { "aws:PrincipalArn": "arn:aws:iam::1:role/*" } }))], "no bucket policy denies"],
            [[stagingBucket, stagingPolicy(guardedStagingDoc(undefined, ["s3:PutObject"]))], "no bucket policy denies"],
        ],
    },
    "audit-archive-key-protected": {
        pass: [[auditBucket, archiveKey(protectedKeyPolicy()), tamperRule], [bucket("raw")], [auditBucket, archiveKey(protectedKeyPolicy(KEY_DEFAULT, accountRoot, keyWriter())), tamperRule]],
        fail: [
            // A named key user that could read the audit trail (Decrypt), use the key outside S3, or manage it.
            [[auditBucket, archiveKey(protectedKeyPolicy(KEY_DEFAULT, accountRoot, keyWriter(["kms:GenerateDataKey", "kms:Decrypt"]))), tamperRule], "statement EvidenceWriters lets"],
            [[auditBucket, archiveKey(protectedKeyPolicy(KEY_DEFAULT, keyWriter(["kms:GenerateDataKey"], {}))), tamperRule], "beyond kms:GenerateDataKey through S3"],
            [[auditBucket, archiveKey(protectedKeyPolicy(KEY_DEFAULT, keyWriter(["kms:*"]))), tamperRule], "beyond kms:GenerateDataKey through S3"],
            [[auditBucket, archiveKey(protectedKeyPolicy(KEY_DEFAULT, keyWriter(undefined, { StringEquals: { "kms:ViaService": "lambda.eu-central-1.amazonaws.com" } }))), tamperRule], "beyond kms:GenerateDataKey through S3"],
            [[auditBucket, tamperRule], "no dedicated KMS key"],
            [[auditBucket, archiveKey(JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::1:root" }, Action: "kms:*", Resource: "*" }] })), tamperRule], "must deny kms:ScheduleKeyDeletion"],
            [[auditBucket, archiveKey(protectedKeyPolicy(["kms:ScheduleKeyDeletion", "kms:DisableKey"])), tamperRule], "must deny kms:ScheduleKeyDeletion"],
            [[auditBucket, archiveKey(protectedKeyPolicy())], "no EventBridge rule matches kms ScheduleKeyDeletion"],
        ],
    },
    "prod-privatelink-failover-retarget": {
        pass: [
            [prodDb, ipTargetGroup, rdsEventRule, retargetFunction(), rdsEventTarget],
            // dev, or prod without an IP target group: nothing to follow.
            [{ type: T.rdsInstance, name: "db", props: { ...goodRds, tags: { tier: "dev" } } }, ipTargetGroup],
            [prodDb],
        ],
        fail: [
            [[prodDb, ipTargetGroup, retargetFunction(), rdsEventTarget], "no EventBridge rule receives RDS instance events"],
            [[prodDb, ipTargetGroup, rdsEventRule, retargetFunction()], "has no Lambda target"],
            [[prodDb, ipTargetGroup, rdsEventRule, retargetFunction(false), rdsEventTarget], "no Lambda function in the VPC"],
        ],
    },
    "prod-rds-private-subnets": {
        pass: [
            [
                { type: T.rdsInstance, name: "db", props: { ...goodRds, dbSubnetGroupName: "lifesci-prod-mysql" } },
                { type: T.rdsSubnetGroup, name: "subnets", props: { name: "lifesci-prod-mysql", subnetIds: ["subnet-1", "subnet-2"], tags: { ...prodTags, networkPlacement: "private-subnets" } } },
            ],
            // dev may use the default VPC.
            [
                { type: T.rdsInstance, name: "db", props: { ...goodRds, tags: { tier: "dev" }, dbSubnetGroupName: "g" } },
                { type: T.rdsSubnetGroup, name: "subnets", props: { name: "g", subnetIds: ["subnet-1", "subnet-2"], tags: { networkPlacement: "default-vpc" } } },
            ],
        ],
        fail: [
            [[{ type: T.rdsInstance, name: "db", props: goodRds }], "no DB subnet group of the stack"],
            [
                [
                    { type: T.rdsInstance, name: "db", props: { ...goodRds, dbSubnetGroupName: "g" } },
                    { type: T.rdsSubnetGroup, name: "subnets", props: { name: "g", subnetIds: ["subnet-1", "subnet-2"], tags: { networkPlacement: "default-vpc" } } },
                ],
                "not in verified private subnets (networkPlacement=default-vpc)",
            ],
            [
                [
                    { type: T.rdsInstance, name: "db", props: { ...goodRds, dbSubnetGroupName: "g" } },
                    { type: T.rdsSubnetGroup, name: "subnets", props: { name: "g", subnetIds: ["subnet-1"], tags: { networkPlacement: "private-subnets" } } },
                ],
                "at least 2 subnets",
            ],
        ],
    },
    "mysql-require-secure-transport": {
        pass: [[pg({ binlog_format: "ROW", require_secure_transport: "1" })], [pg({ require_secure_transport: "ON" })]],
        fail: [
            [[pg({ binlog_format: "ROW" })], "require_secure_transport must be 1 (got unset)"],
            [[pg({ require_secure_transport: "0" })], "(got 0)"],
        ],
    },
    "cdc-connector-verifies-tls": {
        pass: [
            [{ type: T.rdsInstance, name: "db", props: goodRds }, connector({ "database.ssl.mode": "verify_identity" })],
            [{ type: T.rdsInstance, name: "db", props: { ...goodRds, tags: { tier: "dev" } } }, connector({ "database.ssl.mode": "verify_ca" })],
            [connector({ "connector.class": "S3_SINK" })],
        ],
        fail: [
            [[{ type: T.rdsInstance, name: "db", props: goodRds }, connector({ "database.ssl.mode": "verify_ca" })], "must be verify_identity in prod (got verify_ca)"],
            [[connector({ "database.ssl.mode": "required" })], "must be verify_ca or verify_identity (got required)"],
            [[connector({})], "(got unset)"],
            [[{ type: T.connector, name: "local-cdc", props: { configNonsensitive: { "connector.class": "io.debezium.connector.mysql.MySqlConnector", "database.ssl.mode": "preferred" } } }], "got preferred"],
        ],
    },
    "connector-topics-created": {
        pass: [
            [
                { type: T.kafkaTopic, name: "t", props: { topicName: "lifesci.sap.sap_orders.sales_orders" } },
                { type: T.kafkaTopic, name: "s", props: { topicName: "lifesci.sap.sap_orders.lifesci_cdc_signal" } },
                { type: T.kafkaTopic, name: "h", props: { topicName: "dbhistory.lifesci.sap" } },
                cdcWriting({ "schema.history.internal.kafka.topic": "dbhistory.lifesci.sap" }),
                { type: T.kafkaTopic, name: "d", props: { topicName: "lifesci.dlq.s3-raw" } },
                sinkWriting("lifesci.dlq.s3-raw"),
            ],
        ],
        fail: [
            [[{ type: T.kafkaTopic, name: "t", props: { topicName: "lifesci.sap.sap_orders.sales_orders" } }, { type: T.kafkaTopic, name: "h", props: { topicName: "dbhistory.lifesci.sap" } }, cdcWriting({ "schema.history.internal.kafka.topic": "dbhistory.lifesci.sap" })], 'signal topic "lifesci.sap.sap_orders.lifesci_cdc_signal"'],
            [[sinkWriting("lifesci.dlq.s3-raw")], 'dead-letter topic "lifesci.dlq.s3-raw"'],
            // Unset, the managed defaults name topics after the connector id, which no stack creates.
            [[cdcWriting({ "heartbeat.interval.ms": "60000" })], 'heartbeat topic "__debezium-heartbeat-'],
        ],
    },
    "no-admin-role-for-workloads": {
        pass: [
            [binding("topics", "DeveloperManage", "crn://confluent.cloud/organization=o/environment=e/cloud-cluster=lkc-1/kafka=lkc-1/topic=lifesci*")],
            [binding("group", "DeveloperRead", "crn://confluent.cloud/organization=o/environment=e/cloud-cluster=lkc-1/kafka=lkc-1/group=connect-lcc-abc123")],
            [ksqlCluster("sa-runtime"), binding("deployer-admin", "KsqlAdmin", "crn://x/ksql=lksqlc-1", "sa-deployer")],
        ],
        fail: [
            [[binding("admin", "CloudClusterAdmin", "crn://confluent.cloud/organization=o/environment=e/cloud-cluster=lkc-1")], "CloudClusterAdmin administers more"],
            [[binding("all-topics", "DeveloperRead", "crn://x/kafka=lkc-1/topic=*")], "on every topic"],
            [[binding("all-connectors", "DeveloperRead", "crn://x/kafka=lkc-1/group=connect-lcc-*")], "every managed connector's consumer group"],
            [[ksqlCluster("sa-runtime"), binding("runtime-admin", "KsqlAdmin", "crn://x/ksql=lksqlc-1", "sa-runtime")], "KsqlAdmin for the account ksqlDB cluster"],
        ],
    },
    "iam-trust-external-id": {
        pass: [
            [role({ AWS: "arn:aws:iam::111122223333:role/cspi" }, { StringEquals: { "sts:ExternalId": "ext-1" } })],
            [role({ Service: "lambda.amazonaws.com" })],
            [{ type: T.iamRole, name: "obj", props: { assumeRolePolicy: { Statement: [{ Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" }] } } }],
        ],
        fail: [
            [[role({ AWS: "arn:aws:iam::111122223333:role/cspi" })], "without an sts:ExternalId condition"],
            [[role("*", { StringEquals: { "aws:PrincipalOrgID": "o-1" } })], "trusts *"],
            [[role({ AWS: ["arn:aws:iam::111122223333:root"] }, { StringLike: { "sts:RoleSessionName": "x" } })], "without an sts:ExternalId"],
            [[{ type: T.iamRole, name: "garbled", props: { assumeRolePolicy: "{not json" } }], "not a JSON policy document"],
        ],
    },
    "connector-credentials-sensitive": {
        pass: [[connector({ "kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": "sa-1", "snowflake.user.name": "SINK" })]],
        fail: [
            [[connector({ "database.password": "hunter2" })], "database.password must move to configSensitive"],
            [[connector({ "snowflake.private.key": "MIIE" })], "snowflake.private.key"],
            [[connector({ "some.setting": "-----BEGIN PRIVATE KEY-----" })], "some.setting"],
        ],
    },
    "prod-deletion-protection": {
        pass: [
            [{ type: T.rdsInstance, name: "db", props: goodRds, protect: true }, { type: T.kafkaCluster, name: "kafka", props: {}, protect: true }],
            [{ type: T.rdsInstance, name: "db", props: { ...goodRds, deletionProtection: false, tags: { tier: "dev" } } }, { type: T.kafkaCluster, name: "kafka", props: {} }],
        ],
        fail: [
            [[{ type: T.rdsInstance, name: "db", props: { ...goodRds, deletionProtection: false }, protect: true }], "deletionProtection must be true"],
            [[{ type: T.rdsInstance, name: "db", props: goodRds }], "protect option"],
            [[{ type: T.rdsInstance, name: "db", props: goodRds, protect: true }, { type: T.kafkaCluster, name: "kafka", props: {} }], "prod Kafka cluster kafka"],
        ],
    },
    "rds-backup-retention": {
        pass: [[{ type: T.rdsInstance, name: "db", props: goodRds }], [{ type: T.rdsInstance, name: "db", props: { ...goodRds, backupRetentionPeriod: 1, tags: { tier: "dev" } } }]],
        fail: [
            [[{ type: T.rdsInstance, name: "db", props: { ...goodRds, backupRetentionPeriod: 3 } }], "below 7 day(s) (prod)"],
            [[{ type: T.rdsInstance, name: "db", props: { ...goodRds, backupRetentionPeriod: 0, tags: {} } }], "below 1 day(s)"],
        ],
    },
    "snowflake-key-pair-auth": {
        pass: [[{ type: T.snowflakeServiceUser, name: "sink", props: { rsaPublicKey: "MIIB" } }]],
        fail: [
            [[{ type: T.snowflakeServiceUser, name: "sink", props: {} }], "rsaPublicKey is required"],
            [[{ type: T.snowflakeUser, name: "sink", props: { rsaPublicKey: "MIIB", password: "pw" } }], "must not have a password"],
        ],
    },
    "ecs-task-not-public": {
        pass: [[ecsService({ subnets: ["subnet-0a"], securityGroups: ["sg-1"], assignPublicIp: false })]],
        fail: [
            [[ecsService({ subnets: ["subnet-0a"], assignPublicIp: true })], "assignPublicIp must be false (got true)"],
            [[ecsService({ subnets: ["subnet-0a"] })], "assignPublicIp must be false (got unset)"],
            [[ecsService(undefined)], "networkConfiguration with private subnets"],
        ],
    },
    "ecs-no-plaintext-secret": {
        pass: [
            [taskDefinition([{ name: "APPLICATION_ID", value: "lifesci.streams.batch-release" }], [{ name: "KAFKA_SASL_PASSWORD", valueFrom: `${SECRET_ARN}:KAFKA_SASL_PASSWORD::` }])],
            // A preview before the values are known.
            [{ type: T.ecsTaskDefinition, name: "task", props: {} }],
        ],
        fail: [
            [[taskDefinition([{ name: "KAFKA_SASL_PASSWORD", value: "s3cr3t" }], [])], "KAFKA_SASL_PASSWORD in its plain environment"],
            [[taskDefinition([{ name: "KAFKA_SASL_USERNAME", value: "ABCKEY" }], [])], "KAFKA_SASL_USERNAME in its plain environment"],
            [[taskDefinition([{ name: "TLS_KEY", value: "-----BEGIN PRIVATE KEY-----" }], [])], "TLS_KEY in its plain environment"],
            [[taskDefinition([], [{ name: "SCHEMA_REGISTRY_PASSWORD", valueFrom: "s3cr3t" }])], "does not come from Secrets Manager or SSM"],
            [[{ type: T.ecsTaskDefinition, name: "task", props: { containerDefinitions: "{not json" } }], "not a JSON array"],
        ],
    },
    "streams-least-privilege": {
        pass: [
            [
                streamsAccount,
                streamsBinding("in", "DeveloperRead", "topic=lifesci.mes.mes.batches"),
                streamsBinding("subject", "DeveloperRead", "subject=lifesci.mes.mes.batches-value"),
                streamsBinding("out", "DeveloperWrite", "topic=lifesci.streams.batch_release_status"),
                streamsBinding("internal", "DeveloperManage", "topic=lifesci.streams.batch-release-*"),
                streamsBinding("group", "DeveloperRead", "group=lifesci.streams.batch-release"),
                streamsBinding("txn", "DeveloperWrite", "transactional-id=lifesci.streams.batch-release-*"),
                // Other accounts are judged by their own rules.
                { type: T.serviceAccount, name: "ksql", props: { description: "ksqlDB cluster" } },
                { ...binding("ksql-owner", "ResourceOwner", `${CLUSTER_CRN}/topic=_confluent-ksql-x*`), deps: { principal: ["ksql"] } },
            ],
        ],
        fail: [
            [[streamsAccount, streamsBinding("owner", "ResourceOwner", "topic=lifesci.streams.batch-release-*")], "ResourceOwner is more than a Kafka Streams app needs"],
            [[streamsAccount, streamsBinding("wide", "DeveloperRead", "topic=lifesci.*")], "prefix topic=lifesci.* is broader than the app's application.id prefix"],
            [[streamsAccount, streamsBinding("groups", "DeveloperRead", "group=lifesci.streams.batch-release*")], "prefix group=lifesci.streams.batch-release* is broader"],
            [[streamsAccount, streamsBinding("manage-input", "DeveloperManage", "topic=lifesci.mes.mes.batches")], "DeveloperManage on topic=lifesci.mes.mes.batches"],
        ],
    },
    "no-world-ingress": {
        pass: [[sg(["10.40.0.0/16"], 443, 443)], [fromGroup("from-workload")], [{ type: T.securityGroup, name: "egress-only", props: { egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] } }]],
        fail: [
            [[sg(["0.0.0.0/0"], 443, 443)], "admits ports 443-443 from 0.0.0.0/0"],
            [[fromGroup("from-world", { cidrIpv4: "0.0.0.0/0" })], "from 0.0.0.0/0"],
            [[fromGroup("from-world6", { cidrIpv6: "::/0" })], "from ::/0"],
            [[{ type: T.securityGroupRule, name: "rule", props: { type: "ingress", protocol: "tcp", fromPort: 0, toPort: 65535, cidrBlocks: ["0.0.0.0/0"] } }], "admits ports 0-65535"],
        ],
    },
    "aws-api-endpoint-guarded": {
        pass: [
            [endpointSg, fromGroup("from-workload"), fromGroup("from-runner", { referencedSecurityGroupId: "sg-runner" }), awsEndpoint()],
            [s3Gateway([layerRead, { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*", Condition: { StringEquals: { "aws:PrincipalAccount": account } } }])],
            // The Confluent PrivateLink endpoint is an endpoint service, not an AWS API: its own rules apply.
            [{ type: T.vpcEndpoint, name: "confluent", props: { serviceName: "com.amazonaws.vpce.eu-central-1.vpce-svc-0abc", vpcEndpointType: "Interface", privateDnsEnabled: false } }],
        ],
        fail: [
            [[endpointSg, awsEndpoint({ policy: undefined })], "needs an explicit endpoint policy"],
            [[endpointSg, awsEndpoint({ policy: JSON.stringify({ Statement: [{ Sid: "Open", Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }] }) })], "statement Open allows any principal without a condition"],
            [[s3Gateway([{ ...layerRead, Resource: ["arn:aws:s3:::someone-elses-bucket/*"] }])], "allows any principal without a condition"],
            [[s3Gateway([{ ...layerRead, Action: ["s3:GetObject", "s3:PutObject"] }])], "allows any principal without a condition"],
            [[endpointSg, awsEndpoint({ privateDnsEnabled: false })], "privateDnsEnabled must be true"],
            [[endpointSg, awsEndpoint({ securityGroupIds: [] })], "needs its own security group"],
            [[endpointSg, fromGroup("from-vpc", { referencedSecurityGroupId: undefined, cidrIpv4: "10.0.0.0/16" }), awsEndpoint()], "admits 10.0.0.0/16 that is not a security group reference"],
            [[{ ...endpointSg, props: { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["10.0.0.0/8"] }] } }, awsEndpoint()], "admits 10.0.0.0/8"],
            // A reference does not excuse a CIDR in the same inline rule.
            [[{ ...endpointSg, props: { ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: ["sg-workload"], cidrBlocks: ["10.0.0.0/8"] }] } }, awsEndpoint()], "admits 10.0.0.0/8"],
        ],
    },
    "kms-key-rotation": {
        pass: [[{ type: T.kmsKey, name: "k", props: { enableKeyRotation: true } }]],
        fail: [[[{ type: T.kmsKey, name: "k", props: {} }], "enableKeyRotation"]],
    },
    "s3-bucket-versioning": {
        pass: [[bucket("raw"), setting(T.bucketVersioning, "raw-v", "raw", { versioningConfiguration: { status: "Enabled" } })]],
        fail: [[[bucket("raw"), setting(T.bucketVersioning, "raw-v", "raw", { versioningConfiguration: { status: "Suspended" } })], "versioning should be Enabled"]],
    },
    "prod-rds-multi-az": {
        pass: [[{ type: T.rdsInstance, name: "db", props: goodRds }]],
        fail: [[[{ type: T.rdsInstance, name: "db", props: { ...goodRds, multiAz: false } }], "multiAz"]],
    },
};

describe("policy pack: each policy on compliant and violating resources", () => {
    it("every policy of the pack has cases here, and levels are mandatory or advisory", () => {
        assert.deepEqual(policies.map((p) => p.name).sort(), Object.keys(CASES).sort());
        for (const p of policies) assert.ok(["mandatory", "advisory"].includes(p.enforcementLevel ?? ""), `${p.name}: ${p.enforcementLevel}`);
        const mandatory = POLICIES.filter((p) => p.enforcementLevel === "mandatory").length;
        assert.ok(mandatory >= 9 && mandatory < POLICIES.length, "most rules mandatory, some advisory");
    });

    for (const [name, { pass, fail }] of Object.entries(CASES)) {
        it(`${name}: passes compliant input, reports each violation`, async () => {
            for (const [i, resources] of pass.entries()) {
                const reported = await runPolicy(name, resources);
                assert.deepEqual(reported, [], `policy ${name} reported on compliant case ${i}: ${reported.join("; ")}`);
            }
            for (const [i, [resources, fragment]] of fail.entries()) {
                const reported = await runPolicy(name, resources);
                assert.ok(reported.some((m) => m.includes(fragment)), `policy ${name} missed violating case ${i} (expected "${fragment}", got ${JSON.stringify(reported)})`);
            }
        });
    }

    it("checkResources labels each violation with its policy and level", () => {
        const violations = checkResources([{ type: T.kmsKey, name: "k", urn: "u", props: {}, protect: false, propertyDependencies: {} }]);
        assert.deepEqual(violations.map((v) => [v.policy, v.level]), [["kms-key-rotation", "advisory"]]);
    });
});

describe("policy pack: the real stacks comply", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: no violation of any policy on the mock engine's inventory`, async () => {
            const run = await runStack(stack);
            const violations = checkResources(inventoryPolicySubjects(run));
            assert.deepEqual(violations.map((v) => `${v.policy}: ${v.message}`), []);
        });
    }

    it("prod: an AWS API endpoint without its policy, or its security group opened to a CIDR, is caught", async () => {
        const run = await runStack("prod");
        const subjects = inventoryPolicySubjects(run);
        const broken = subjects.map((s) =>
            s.type === T.vpcEndpoint && s.name === "aws-api-endpoints-secretsmanager"
                ? { ...s, props: { ...s.props, policy: undefined } }
                : s.type === T.vpcIngressRule && s.name.startsWith("aws-api-endpoints-from-")
                  ? { ...s, props: { ...s.props, referencedSecurityGroupId: undefined, cidrIpv4: "10.10.0.0/16" } }
                  : s,
        );
        const violations = checkResources(broken).filter((v) => v.policy === "aws-api-endpoint-guarded").map((v) => v.message);
        assert.ok(violations.some((m) => m.includes("aws-api-endpoints-secretsmanager") && m.includes("explicit endpoint policy")), JSON.stringify(violations));
        assert.ok(violations.some((m) => m.includes("aws-api-endpoints-sg") && m.includes("10.10.0.0/16")), JSON.stringify(violations));
    });

    it("prod: protect switched off on RDS is caught by prod-deletion-protection", async () => {
        const run = await runStack("prod");
        const subjects = inventoryPolicySubjects(run).map((s) => (s.type === T.rdsInstance ? { ...s, protect: false } : s));
        const violations = checkResources(subjects);
        assert.ok(violations.some((v) => v.policy === "prod-deletion-protection" && v.level === "mandatory"), JSON.stringify(violations));
    });
});
