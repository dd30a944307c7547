// Every branch of every policy rule with a case that must be reported and a case that must not,
// as exact messages (so a rule reporting too much fails as surely as one reporting too little).
// test/policy.test.ts proves the pack wiring and the real stacks; this table proves each branch.
import { strict as assert } from "assert";
import { POLICIES, PolicySubject, T, checkResources } from "../policy/rules";

interface R {
    type: string;
    name?: string;
    props?: Record<string, any>;
    protect?: boolean;
    deps?: Record<string, string[]>;
}
/** `deps` name other resources of the same list (their URN); a name not in the list is taken as a bucket. */
const subject = (r: R, i: number, all: readonly R[] = []): PolicySubject => {
    const name = r.name ?? `r${i}`;
    const urnOf = (n: string) => `urn:${all.find((x) => x.name === n)?.type ?? T.bucket}::${n}`;
    return { type: r.type, name, urn: `urn:${r.type}::${name}`, props: r.props ?? {}, protect: r.protect === true, propertyDependencies: Object.fromEntries(Object.entries(r.deps ?? {}).map(([k, names]) => [k, names.map(urnOf)])) };
};
/** What one rule reports on these resources. */
function report(rule: string, resources: R[]): string[] {
    const rules = POLICIES.filter((p) => p.name === rule);
    assert.equal(rules.length, 1, `rule ${rule}`);
    return checkResources(resources.map((r, i) => subject(r, i, resources)), rules).map((v) => v.message);
}

const prod = { tier: "prod" };
const dev = { tier: "dev" };
const rds = (props: Record<string, any>, protect = true): R => ({ type: T.rdsInstance, name: "db", props: { storageEncrypted: true, backupRetentionPeriod: 14, deletionProtection: true, multiAz: true, publiclyAccessible: false, tags: prod, ...props }, protect });
const bucket = (name: string, props: Record<string, any> = {}): R => ({ type: T.bucket, name, props: { bucket: `${name}-phys`, ...props }, protect: true });
const onBucket = (type: string, of: string, props: Record<string, any>, by: "dependency" | "name" | "id" | "nothing" = "dependency"): R => ({
    type,
    name: `${of}-${type.split(":").pop()}`,
    props: { ...props, ...(by === "name" ? { bucket: `${of}-phys` } : by === "id" ? { bucket: `${of}-id` } : {}) },
    deps: by === "dependency" ? { bucket: [of] } : {},
});
const pg = (params: Record<string, string> | undefined, family: string | null = "mysql8.0"): R => ({ type: T.rdsParameterGroup, name: "pg", props: { family: family ?? undefined, parameters: params && Object.entries(params).map(([name, value]) => ({ name, value })) } });
const sgIngress = (rule: Record<string, any>): R => ({ type: T.securityGroup, name: "sg", props: { ingress: [rule] } });
const cdc = (config: Record<string, unknown> | undefined, name = "cdc"): R => ({ type: T.connector, name, props: config === undefined ? {} : { configNonsensitive: config } });
const binding = (roleName: string, crnPattern: string, principal = "User:sa-w"): R => ({ type: T.roleBinding, name: "rb", props: { roleName, crnPattern, principal } });
const role = (policy: unknown): R => ({ type: T.iamRole, name: "role", props: { assumeRolePolicy: typeof policy === "object" && policy !== null ? JSON.stringify(policy) : policy } });
const trust = (principal: unknown, condition?: unknown, effect = "Allow") => ({ Version: "2012-10-17", Statement: [{ Effect: effect, Principal: principal, Action: "sts:AssumeRole", ...(condition !== undefined ? { Condition: condition } : {}) }] });
const GATEWAY = "arn:aws:iam::111122223333:role/cspi";
const service = (name: string, networkConfiguration?: Record<string, unknown>): R => ({ type: T.ecsService, name, props: networkConfiguration ? { networkConfiguration } : {} });
const taskDef = (name: string, containerDefinitions: unknown): R => ({ type: T.ecsTaskDefinition, name, props: { containerDefinitions: Array.isArray(containerDefinitions) ? JSON.stringify(containerDefinitions) : containerDefinitions } });
const SM = "arn:aws:secretsmanager:eu-central-1:111122223333:secret:lifesci/kafka-abc";
const streamsAccount: R = { type: T.serviceAccount, name: "sa-streams", props: { description: "Kafka Streams app batch-release" } };
const streamsBinding = (name: string, roleName: string, resource: string, account = "sa-streams"): R => ({
    type: T.roleBinding,
    name,
    props: { roleName, crnPattern: `crn://confluent.cloud/organization=o/environment=e/cloud-cluster=lkc-1/kafka=lkc-1/${resource}`, principal: "User:sa-1" },
    deps: { principal: [account] },
});

/** rule -> branch -> [resources that must be reported with exactly these messages, resources that must pass]. */
type Branch = [what: string, bad: R[], messages: string[], good: R[]];
const BRANCHES: Record<string, Branch[]> = {
    "rds-storage-encrypted": [
        ["storage not encrypted (unset counts as off)", [rds({ storageEncrypted: undefined })], ["RDS instance db: storageEncrypted must be true"], [rds({ storageEncrypted: true })]],
        ["only RDS instances are judged", [rds({ storageEncrypted: "true" })], ["RDS instance db: storageEncrypted must be true"], [{ type: T.kmsKey, props: { storageEncrypted: false, enableKeyRotation: true } }]],
    ],
    "s3-bucket-encrypted": [
        ["no encryption configuration", [bucket("raw")], ["S3 bucket raw: no BucketServerSideEncryptionConfiguration with aws:kms or AES256"], [bucket("raw"), onBucket(T.bucketEncryption, "raw", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] })]],
        ["an algorithm that is not KMS or AES256", [bucket("raw"), onBucket(T.bucketEncryption, "raw", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "none" } }] })], ["S3 bucket raw: no BucketServerSideEncryptionConfiguration with aws:kms or AES256"], [bucket("raw"), onBucket(T.bucketEncryption, "raw", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms:dsse" } }] })]],
        ["a configuration without rules", [bucket("raw"), onBucket(T.bucketEncryption, "raw", {})], ["S3 bucket raw: no BucketServerSideEncryptionConfiguration with aws:kms or AES256"], [bucket("raw"), onBucket(T.bucketEncryption, "raw", { rules: [{}, { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] })]],
        ["the configuration of another bucket (by name value)", [bucket("raw"), bucket("other"), onBucket(T.bucketEncryption, "other", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, "name")], ["S3 bucket raw: no BucketServerSideEncryptionConfiguration with aws:kms or AES256"], [bucket("raw"), onBucket(T.bucketEncryption, "raw", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, "name")]],
        ["found by the bucket's id too; a setting naming no bucket configures none", [bucket("raw"), onBucket(T.bucketEncryption, "raw", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, "nothing")], ["S3 bucket raw: no BucketServerSideEncryptionConfiguration with aws:kms or AES256"], [bucket("raw", { id: "raw-id" }), onBucket(T.bucketEncryption, "raw", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }, "id")]],
    ],
    "s3-no-public-access": [
        ...["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].map((flag): Branch => [
            `${flag} off`,
            [bucket("raw"), onBucket(T.bucketPublicAccess, "raw", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true, [flag]: false })],
            [`public access block raw-BucketPublicAccessBlock: ${flag} must be true`],
            [bucket("raw"), onBucket(T.bucketPublicAccess, "raw", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })],
        ]),
        ["all four off, named together", [bucket("raw"), onBucket(T.bucketPublicAccess, "raw", {})], ["public access block raw-BucketPublicAccessBlock: blockPublicAcls, blockPublicPolicy, ignorePublicAcls, restrictPublicBuckets must be true"], []],
        ...["public-read", "public-read-write", "authenticated-read"].flatMap((acl): Branch[] => [
            [`bucket ACL ${acl}`, [{ type: T.bucket, name: "raw", props: { acl } }], [`raw: ACL "${acl}" makes the bucket public`, "S3 bucket raw: no BucketPublicAccessBlock"], [{ type: T.bucket, name: "raw", props: { acl: "private" } }, onBucket(T.bucketPublicAccess, "raw", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, "nothing"), onBucket(T.bucketPublicAccess, "raw", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })]],
            [`BucketAcl ${acl}`, [{ type: T.bucketAcl, name: "raw-acl", props: { acl } }], [`raw-acl: ACL "${acl}" makes the bucket public`], [{ type: T.bucketAcl, name: "raw-acl", props: { acl: "private" } }]],
        ]),
        ["a public access block of another bucket", [bucket("raw"), bucket("lake"), onBucket(T.bucketPublicAccess, "lake", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true })], ["S3 bucket raw: no BucketPublicAccessBlock"], []],
    ],
    "audit-bucket-object-lock": [
        ["audit bucket without Object Lock: one message, the retention is not judged", [bucket("audit", { tags: { purpose: "audit-archive" }, objectLockEnabled: "true" })], ["audit bucket audit: objectLockEnabled must be true (it can only be set at creation)"], [bucket("raw", { tags: { purpose: "lake" } })]],
        ["no lock configuration", [bucket("audit", { tags: { purpose: "audit-archive" }, objectLockEnabled: true })], ["audit bucket audit: no BucketObjectLockConfiguration with a default retention (days or years)"], [bucket("audit", { tags: { purpose: "audit-archive" }, objectLockEnabled: true }), onBucket(T.bucketObjectLock, "audit", { rule: { defaultRetention: { mode: "COMPLIANCE", years: 10 } } })]],
        ["a retention of 0 days and 0 years", [bucket("audit", { tags: { purpose: "audit-archive" }, objectLockEnabled: true }), onBucket(T.bucketObjectLock, "audit", { rule: { defaultRetention: { mode: "COMPLIANCE", days: 0, years: 0 } } })], ["audit bucket audit: no BucketObjectLockConfiguration with a default retention (days or years)"], [bucket("audit", { tags: { purpose: "audit-archive" }, objectLockEnabled: true }), onBucket(T.bucketObjectLock, "audit", { rule: { defaultRetention: { mode: "GOVERNANCE", days: 1 } } })]],
        ["a lock without a rule, or on another bucket", [bucket("audit", { tags: { purpose: "audit-archive" }, objectLockEnabled: true }), bucket("other"), onBucket(T.bucketObjectLock, "audit", {}), onBucket(T.bucketObjectLock, "other", { rule: { defaultRetention: { days: 30 } } })], ["audit bucket audit: no BucketObjectLockConfiguration with a default retention (days or years)"], [bucket("audit", { tags: { purpose: "audit-archive" }, objectLockEnabled: true }), onBucket(T.bucketObjectLock, "audit", {}), onBucket(T.bucketObjectLock, "audit", { rule: { defaultRetention: { years: 1 } } })]],
    ],
    "cdc-binlog-row-full": [
        ["binlog_format not ROW", [pg({ binlog_format: "MIXED", binlog_row_image: "FULL" })], ["parameter group pg: binlog_format must be ROW (got MIXED)"], [pg({ binlog_format: "row", binlog_row_image: "full" })]],
        ["binlog_row_image not FULL", [pg({ binlog_format: "ROW", binlog_row_image: "MINIMAL" })], ["parameter group pg: binlog_row_image must be FULL (got MINIMAL)"], [pg({ binlog_format: "ROW", binlog_row_image: "FULL" }, "mysql8.4")]],
        ["no parameters at all", [pg(undefined)], ["parameter group pg: binlog_format must be ROW (got unset)", "parameter group pg: binlog_row_image must be FULL (got unset)"], [pg(undefined, "postgres16"), pg(undefined, null)]],
    ],
    "db-port-not-public": [
        ["0.0.0.0/0 on 3306", [sgIngress({ protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["0.0.0.0/0"] })], ["sg: admits port 3306 from the whole internet", "sg: port 3306: 0.0.0.0/0 is broader than /16 (4,294,967,296 addresses)", "sg: port 3306: 0.0.0.0/0 together cover the whole internet", "port 3306 across the stack's security groups: 0.0.0.0/0 together cover the whole internet"], [sgIngress({ protocol: "tcp", fromPort: 3307, toPort: 3400, cidrBlocks: ["0.0.0.0/0"] }), sgIngress({ protocol: "tcp", fromPort: 1, toPort: 3305, cidrBlocks: ["0.0.0.0/0"] })]],
        ["a port range around 3306", [sgIngress({ protocol: "tcp", fromPort: 3300, toPort: 3310, cidrBlocks: ["10.0.0.0/15"] })], ["sg: port 3306: 10.0.0.0/15 is broader than /16 (131,072 addresses)"], [sgIngress({ protocol: "tcp", fromPort: 3300, toPort: 3310, cidrBlocks: ["10.0.0.0/16"] })]],
        ["all protocols (-1 or all) cover every port", [sgIngress({ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["10.0.0.0/8"] }), { type: T.vpcIngressRule, name: "all", props: { ipProtocol: "all", cidrIpv4: "10.0.0.0/9" } }], ["sg: port 3306: 10.0.0.0/8 is broader than /16 (16,777,216 addresses)", "all: port 3306: 10.0.0.0/9 is broader than /16 (8,388,608 addresses)"], [sgIngress({ protocol: "tcp", cidrBlocks: ["10.0.0.0/8"] })]],
        ["::/0 over IPv6 on a standalone rule", [{ type: T.securityGroupRule, name: "v6", props: { type: "ingress", protocol: "tcp", fromPort: 3306, toPort: 3306, ipv6CidrBlocks: ["::/0"] } }], ["v6: admits port 3306 from the whole internet", "v6: port 3306: ::/0 is the whole IPv6 internet"], [{ type: T.securityGroupRule, name: "v6", props: { type: "egress", protocol: "tcp", fromPort: 3306, toPort: 3306, ipv6CidrBlocks: ["::/0"] } }]],
        ["::/0 in cidrIpv6 of a VPC ingress rule", [{ type: T.vpcIngressRule, name: "v6", props: { ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv6: "::/0" } }], ["v6: admits port 3306 from the whole internet", "v6: port 3306: ::/0 is the whole IPv6 internet"], [{ type: T.vpcIngressRule, name: "v6", props: { ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv6: "2001:db8::/32" } }]],
        ["two rules on two resources that add up to the internet", [{ type: T.securityGroupRule, name: "a", props: { type: "ingress", protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["0.0.0.0/1"] } }, { type: T.vpcIngressRule, name: "b", props: { ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv4: "128.0.0.0/1" } }], ["a: port 3306: 0.0.0.0/1 is broader than /16 (2,147,483,648 addresses)", "b: port 3306: 128.0.0.0/1 is broader than /16 (2,147,483,648 addresses)", "port 3306 across the stack's security groups: 0.0.0.0/1 + 128.0.0.0/1 together cover the whole internet"], [{ type: T.securityGroupRule, name: "a", props: { type: "ingress", protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["3.64.0.0/28"] } }, { type: T.vpcIngressRule, name: "b", props: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "128.0.0.0/1" } }]],
        ["a security group without ingress; other resource types", [], [], [{ type: T.securityGroup, name: "sg", props: {} }, { type: T.rdsInstance, props: { cidrBlocks: ["0.0.0.0/0"], fromPort: 3306, toPort: 3306 } }]],
    ],
    "prod-database-not-public": [
        ["prod RDS public, or not saying", [rds({ publiclyAccessible: true }), { ...rds({ publiclyAccessible: undefined }), name: "db2" }], ["prod RDS instance db: publiclyAccessible must be false", "prod RDS instance db2: publiclyAccessible must be false"], [rds({ publiclyAccessible: false }), rds({ publiclyAccessible: true, tags: dev }), rds({ publiclyAccessible: true, tags: undefined })]],
    ],
    "mysql-require-secure-transport": [
        ["TLS not required", [pg({ require_secure_transport: "0" }), pg({ require_secure_transport: "OFF" })], ["parameter group pg: require_secure_transport must be 1 (got 0)", "parameter group pg: require_secure_transport must be 1 (got OFF)"], [pg({ require_secure_transport: "1" }), pg({ require_secure_transport: "on" })]],
        ["not set; other engines are not judged", [pg({ binlog_format: "ROW" })], ["parameter group pg: require_secure_transport must be 1 (got unset)"], [pg({}, "postgres16"), pg(undefined, null)]],
    ],
    "cdc-connector-verifies-tls": [
        ["prod: verify_ca is not enough", [rds({}), cdc({ "connector.class": "MySqlCdcSourceV2", "database.ssl.mode": "verify_ca" })], ["connector cdc: database.ssl.mode must be verify_identity in prod (got verify_ca)"], [rds({}), cdc({ "connector.class": "MySqlCdcSourceV2", "database.ssl.mode": "verify_identity" })]],
        ["dev: a mode that does not verify", [rds({ tags: dev }), cdc({ "connector.class": "io.debezium.connector.mysql.MySqlConnector", "database.ssl.mode": "required" })], ["connector cdc: database.ssl.mode must be verify_ca or verify_identity (got required)"], [rds({ tags: dev }), cdc({ "connector.class": "io.debezium.connector.mysql.MySqlConnector", "database.ssl.mode": "verify_ca" }), cdc({ "connector.class": "MySqlCdcSourceV2", "database.ssl.mode": "verify_identity" }, "cdc2")]],
        ["no mode at all", [cdc({ "connector.class": "MySqlCdcSourceV2" })], ["connector cdc: database.ssl.mode must be verify_ca or verify_identity (got unset)"], [cdc({ "connector.class": "S3_SINK" }), cdc(undefined)]],
    ],
    "no-admin-role-for-workloads": [
        ...["OrganizationAdmin", "EnvironmentAdmin", "CloudClusterAdmin", "AccountAdmin", "NetworkAdmin", "FlinkAdmin"].map((admin): Branch => [
            `${admin}`,
            [binding(admin, "crn://confluent.cloud/organization=o/environment=e")],
            [`role binding rb: ${admin} administers more than a workload needs; bind Developer* roles on its prefixes`],
            [binding("DeveloperManage", "crn://confluent.cloud/organization=o/environment=e/cloud-cluster=lkc-1/kafka=lkc-1/topic=lifesci*")],
        ]),
        ["every topic", [binding("DeveloperRead", "crn://x/kafka=lkc-1/topic=*")], ["role binding rb: DeveloperRead on every topic of the cluster"], [binding("DeveloperRead", "crn://x/kafka=lkc-1/topic=*-x")]],
        ["every consumer group", [binding("DeveloperRead", "crn://x/kafka=lkc-1/group=*")], ["role binding rb: DeveloperRead on every consumer group of the cluster"], [binding("DeveloperRead", "crn://x/kafka=lkc-1/group=lifesci*")]],
        ["every managed connector's group", [binding("DeveloperRead", "crn://x/kafka=lkc-1/group=connect-lcc-*")], ["role binding rb: every managed connector's consumer group; bind connect-<the connector's id>"], [binding("DeveloperRead", "crn://x/kafka=lkc-1/group=connect-lcc-abc123")]],
        ["KsqlAdmin for the ksqlDB runtime account, by value", [{ type: T.ksqlCluster, name: "ksql", props: { credentialIdentity: { id: "sa-rt" } } }, binding("KsqlAdmin", "crn://x/ksql=lksqlc-1", "User:sa-rt")], ["role binding rb: KsqlAdmin for the account ksqlDB cluster ksql runs as; deploy statements with a separate account"], [{ type: T.ksqlCluster, name: "ksql", props: { credentialIdentity: { id: "sa-rt" } } }, binding("KsqlAdmin", "crn://x/ksql=lksqlc-1", "User:sa-deployer"), binding("ResourceOwner", "crn://x/ksql=lksqlc-1", "User:sa-rt")]],
        ["KsqlAdmin for the runtime account, by where the value comes from (preview)", [{ type: T.ksqlCluster, name: "ksql", props: {}, deps: { credentialIdentity: ["sa"] } }, { ...binding("KsqlAdmin", "crn://x/ksql=lksqlc-1", "User:unknown"), deps: { principal: ["sa"] } }], ["role binding rb: KsqlAdmin for the account ksqlDB cluster ksql runs as; deploy statements with a separate account"], [{ type: T.ksqlCluster, name: "ksql", props: {}, deps: { credentialIdentity: ["sa"] } }, { ...binding("KsqlAdmin", "crn://x/ksql=lksqlc-1", "User:undefined"), deps: { principal: ["other"] } }]],
    ],
    "iam-trust-external-id": [
        ["another account without sts:ExternalId", [role(trust({ AWS: GATEWAY }))], [`IAM role role: trusts ${GATEWAY} without an sts:ExternalId condition`], [role(trust({ AWS: GATEWAY }, { StringEquals: { "sts:ExternalId": "ext" } }))]],
        ["everyone (*), even with another condition", [role(trust("*", { StringEquals: { "aws:PrincipalOrgID": "o-1" } }))], ["IAM role role: trusts * without an sts:ExternalId condition"], [role(trust("*", { StringEquals: { "sts:ExternalId": "ext" } }))]],
        ["several principals and a single Statement object", [role({ Statement: { Effect: "Allow", Principal: { AWS: [GATEWAY, "arn:aws:iam::111122223333:root"] }, Condition: { Null: null } } })], [`IAM role role: trusts ${GATEWAY}, arn:aws:iam::111122223333:root without an sts:ExternalId condition`], [role({ Statement: { Effect: "Allow", Principal: { AWS: [GATEWAY] }, Condition: { StringLike: { "sts:ExternalId": "e*" } } } })]],
        ["a policy that is not JSON", [role("{not json")], ["IAM role role: assumeRolePolicy is not a JSON policy document"], [role(undefined), role(trust({ Service: "ecs-tasks.amazonaws.com" })), role(trust({ Federated: "arn:aws:iam::1:oidc-provider/x" })), role(trust("*", undefined, "Deny")), { type: T.iamRole, name: "role", props: { assumeRolePolicy: trust({ Service: "x" }) } }, { type: T.kmsKey, props: { enableKeyRotation: true, assumeRolePolicy: "{" } }]],
        ["a policy given as an object", [{ type: T.iamRole, name: "role", props: { assumeRolePolicy: trust({ AWS: GATEWAY }) } }], [`IAM role role: trusts ${GATEWAY} without an sts:ExternalId condition`], [role({ Version: "2012-10-17" })]],
    ],
    "connector-credentials-sensitive": [
        ...["database.password", "aws.secret.access.key", "snowflake.private.key", "snowflake.private.key.passphrase", "gcp.credentials", "auth.token", "kafka.api.key", "api.key", "aws.access.key.id"].map((k): Branch => [
            `${k} in plain config`,
            [cdc({ [k]: "x" })],
            [`connector cdc: ${k} must move to configSensitive`],
            [cdc({ "kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": "sa-1", "api.key.name": "x", "schema.api.keystore": "x", "topic.prefix": "lifesci" })],
        ]),
        ["a PEM value under any key; several keys named together", [cdc({ "some.setting": "-----BEGIN PRIVATE KEY-----", "database.password": "x", n: 3 })], ["connector cdc: some.setting, database.password must move to configSensitive"], [cdc({ "ssl.note": "BEGIN", n: 3 }), { type: T.rdsInstance, props: { storageEncrypted: true, configNonsensitive: { password: "x" } } }]],
    ],
    "prod-deletion-protection": [
        ["prod RDS without deletionProtection", [rds({ deletionProtection: false })], ["prod RDS instance db: deletionProtection must be true"], [rds({})]],
        ["prod RDS without protect, and without both", [rds({}, false), { ...rds({ deletionProtection: undefined }, false), name: "db2" }], ["prod RDS instance db: needs the Pulumi protect option", "prod RDS instance db2: deletionProtection must be true", "prod RDS instance db2: needs the Pulumi protect option"], [rds({ deletionProtection: false, tags: dev }, false)]],
        ["prod bucket without protect", [{ ...bucket("raw", { tags: prod }), protect: false }], ["prod bucket raw: needs the Pulumi protect option"], [{ ...bucket("raw", { tags: dev }), protect: false }, bucket("raw", { tags: prod })]],
        ["prod Kafka cluster (its stack's RDS is prod) without protect", [rds({}), { type: T.kafkaCluster, name: "kafka", props: {} }], ["prod Kafka cluster kafka: needs the Pulumi protect option"], [rds({}), { type: T.kafkaCluster, name: "kafka", props: {}, protect: true }, { type: T.kafkaCluster, name: "k2", props: {}, protect: true }]],
        ["a dev stack's cluster needs no protect", [], [], [rds({ tags: dev }), { type: T.kafkaCluster, name: "kafka", props: {} }]],
    ],
    "rds-backup-retention": [
        ["prod: 6 days (7 is the minimum)", [rds({ backupRetentionPeriod: 6 })], ["RDS instance db: backupRetentionPeriod 6 is below 7 day(s) (prod)"], [rds({ backupRetentionPeriod: 7 }), rds({ backupRetentionPeriod: "7" })]],
        ["dev: backups off (1 is the minimum)", [rds({ backupRetentionPeriod: 0, tags: dev })], ["RDS instance db: backupRetentionPeriod 0 is below 1 day(s)"], [rds({ backupRetentionPeriod: 1, tags: dev })]],
        ["unset means none; not a number is refused", [rds({ backupRetentionPeriod: undefined, tags: dev }), { ...rds({ backupRetentionPeriod: "many", tags: dev }), name: "db2" }], ["RDS instance db: backupRetentionPeriod 0 is below 1 day(s)", "RDS instance db2: backupRetentionPeriod NaN is below 1 day(s)"], [{ type: T.kmsKey, props: { enableKeyRotation: true } }]],
    ],
    "snowflake-key-pair-auth": [
        ...[T.snowflakeUser, T.snowflakeServiceUser, T.snowflakeLegacyServiceUser].flatMap((type): Branch[] => [
            [`${type}: a password`, [{ type, name: "u", props: { rsaPublicKey: "MIIB", password: "" } }], ["Snowflake user u: must not have a password"], [{ type, name: "u", props: { rsaPublicKey: "MIIB" } }]],
            [`${type}: no public key`, [{ type, name: "u", props: { rsaPublicKey: "" } }], ["Snowflake user u: rsaPublicKey is required (key-pair auth)"], [{ type: T.kmsKey, name: "u", props: { password: "x", enableKeyRotation: true } }]],
        ]),
    ],
    "kms-key-rotation": [["rotation off or unset", [{ type: T.kmsKey, name: "k", props: { enableKeyRotation: false } }, { type: T.kmsKey, name: "k2", props: {} }], ["KMS key k: enableKeyRotation should be true", "KMS key k2: enableKeyRotation should be true"], [{ type: T.kmsKey, name: "k", props: { enableKeyRotation: true } }, { type: T.rdsInstance, props: {} }]]],
    "s3-bucket-versioning": [
        ["suspended, or none", [bucket("raw"), onBucket(T.bucketVersioning, "raw", { versioningConfiguration: { status: "Suspended" } }), bucket("lake")], ["S3 bucket raw: versioning should be Enabled", "S3 bucket lake: versioning should be Enabled"], [bucket("raw"), onBucket(T.bucketVersioning, "raw", { versioningConfiguration: { status: "Suspended" } }), onBucket(T.bucketVersioning, "raw", { versioningConfiguration: { status: "Enabled" } })]],
        ["versioning of another bucket", [bucket("raw"), bucket("lake"), onBucket(T.bucketVersioning, "lake", { versioningConfiguration: { status: "Enabled" } })], ["S3 bucket raw: versioning should be Enabled"], [bucket("raw"), onBucket(T.bucketVersioning, "raw", {}), onBucket(T.bucketVersioning, "raw", { versioningConfiguration: { status: "Enabled" } })]],
    ],
    "ecs-task-not-public": [
        ["no network configuration", [service("svc")], ["ECS service svc: networkConfiguration with private subnets and assignPublicIp false is required"], [service("svc", { assignPublicIp: false, subnets: ["subnet-0a"] })]],
        ["a public IP, or not saying", [service("svc", { assignPublicIp: true }), service("svc2", {})], ["ECS service svc: assignPublicIp must be false (got true)", "ECS service svc2: assignPublicIp must be false (got unset)"], [service("svc", { assignPublicIp: false }), { type: T.kmsKey, props: { enableKeyRotation: true } }]],
    ],
    "ecs-no-plaintext-secret": [
        [
            "a credential by name or a PEM by value in the plain environment",
            [taskDef("td", [{ name: "app", environment: [{ name: "KAFKA_API_KEY", value: "k" }, { name: "SR_APIKEY", value: "k" }, { name: "db_password", value: "p" }, { name: "CERT", value: "-----BEGIN CERTIFICATE-----" }, { name: "TOPIC", value: "t" }] }])],
            [
                "ECS task definition td: container app has KAFKA_API_KEY in its plain environment; move it to secrets (Secrets Manager)",
                "ECS task definition td: container app has SR_APIKEY in its plain environment; move it to secrets (Secrets Manager)",
                "ECS task definition td: container app has db_password in its plain environment; move it to secrets (Secrets Manager)",
                "ECS task definition td: container app has CERT in its plain environment; move it to secrets (Secrets Manager)",
            ],
            [taskDef("td", [{ name: "app", environment: [{ name: "TOPIC", value: "t" }, { name: "BOOTSTRAP_SERVERS", value: "pkc:9092" }], secrets: [{ name: "KAFKA_API_KEY", valueFrom: SM }, { name: "SR", valueFrom: "arn:aws:ssm:eu-central-1:111122223333:parameter/sr" }] }])],
        ],
        [
            "a secret not read from Secrets Manager or SSM (an ARN only inside the text does not count; an empty entry is not one)",
            [taskDef("td", [{ name: "app", environment: [null], secrets: [{ name: "PW", valueFrom: "hunter2" }, { name: "OK", valueFrom: SM }, { name: "X", valueFrom: `see ${SM}` }, null] }])],
            [
                "ECS task definition td: container app secret PW does not come from Secrets Manager or SSM (valueFrom hunter2)",
                `ECS task definition td: container app secret X does not come from Secrets Manager or SSM (valueFrom see ${SM})`,
                "ECS task definition td: container app secret undefined does not come from Secrets Manager or SSM (valueFrom undefined)",
            ], [taskDef("td", [{ name: "app", secrets: [{ name: "PW", valueFrom: "arn:aws-cn:secretsmanager:cn-north-1:1:secret:x" }] }])]],
        ["container definitions that are not a JSON array; unknown ones are not judged", [taskDef("a", "{nope"), taskDef("b", '{"name":"x"}'), taskDef("c", 5)], ["ECS task definition a: containerDefinitions is not a JSON array", "ECS task definition b: containerDefinitions is not a JSON array", "ECS task definition c: containerDefinitions is not a JSON array"], [taskDef("a", undefined), taskDef("b", null), { type: T.ecsTaskDefinition, name: "d", props: { containerDefinitions: [{ name: "app" }] } }, { type: T.kmsKey, props: { enableKeyRotation: true, containerDefinitions: "{" } }]],
    ],
    "streams-least-privilege": [
        ["a role beyond Developer*", [streamsAccount, streamsBinding("b", "ResourceOwner", "topic=batch-release-*")], ["role binding b: ResourceOwner is more than a Kafka Streams app needs (DeveloperRead, DeveloperWrite, DeveloperManage)"], [streamsAccount, streamsBinding("r", "DeveloperRead", "topic=lifesci.mes.mes.batches"), streamsBinding("w", "DeveloperWrite", "topic=lifesci.streams.batch_status"), streamsBinding("g", "DeveloperRead", "group=batch-release")]],
        ["a prefix broader than the application.id's", [streamsAccount, streamsBinding("b", "DeveloperRead", "topic=lifesci*"), streamsBinding("c", "DeveloperRead", "topic=*"), streamsBinding("d", "DeveloperRead", "group=batch-*")], ["role binding b: prefix topic=lifesci* is broader than the app's application.id prefix (<application.id>-*)", "role binding c: prefix topic=* is broader than the app's application.id prefix (<application.id>-*)", "role binding d: prefix group=batch-* is broader than the app's application.id prefix (<application.id>-*)"], [streamsAccount, streamsBinding("m", "DeveloperManage", "topic=batch-release-*"), streamsBinding("t", "DeveloperWrite", "transactional-id=batch-release-*")]],
        ["DeveloperManage outside its internal topics", [streamsAccount, streamsBinding("g", "DeveloperManage", "group=batch-release"), streamsBinding("t", "DeveloperManage", "transactional-id=batch-release-*"), streamsBinding("l", "DeveloperManage", "topic=lifesci.streams.batch_status")], ["role binding g: DeveloperManage on group=batch-release; a Kafka Streams app manages only its internal topics", "role binding t: DeveloperManage on transactional-id=batch-release-*; a Kafka Streams app manages only its internal topics", "role binding l: DeveloperManage on topic=lifesci.streams.batch_status; a Kafka Streams app manages only its internal topics"], []],
        ["prefixes that only contain an allowed one", [streamsAccount, streamsBinding("g", "DeveloperRead", "group=x-topic=batch-release-*"), streamsBinding("t", "DeveloperRead", "topic=batch-*-internal*")], ["role binding g: prefix group=x-topic=batch-release-* is broader than the app's application.id prefix (<application.id>-*)", "role binding t: prefix topic=batch-*-internal* is broader than the app's application.id prefix (<application.id>-*)"], []],
        ["other accounts are not this rule's", [], [], [{ type: T.serviceAccount, name: "sa-ksql", props: { description: "Replaces the Kafka Streams app batch-release (ksqlDB runtime)" } }, streamsBinding("k", "ResourceOwner", "topic=*", "sa-ksql"), streamsAccount, { ...streamsBinding("n", "ResourceOwner", "topic=*"), deps: {} }]],
    ],
    "prod-rds-multi-az": [["prod single-AZ", [rds({ multiAz: false })], ["prod RDS instance db: multiAz should be true"], [rds({}), rds({ multiAz: false, tags: dev })]]],
};

/** Inputs the rules must survive or ignore: malformed documents, other resource types carrying look-alike props. */
const EDGES: Record<string, Branch[]> = {
    "s3-no-public-access": [["a public ACL on a resource that is not a bucket or bucket ACL is not this rule's", [], [], [{ type: T.kmsKey, props: { acl: "public-read", enableKeyRotation: true } }]]],
    "cdc-binlog-row-full": [["only parameter groups are judged", [], [], [{ type: T.kmsKey, props: { family: "mysql8.0", enableKeyRotation: true } }]]],
    "mysql-require-secure-transport": [["only parameter groups are judged", [], [], [{ type: T.kmsKey, props: { family: "mysql8.0", enableKeyRotation: true } }]]],
    "db-port-not-public": [
        ["one world CIDR among narrow ones is the whole internet", [sgIngress({ protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["3.64.0.0/28", "0.0.0.0/0"] })], ["sg: admits port 3306 from the whole internet", "sg: port 3306: 0.0.0.0/0 is broader than /16 (4,294,967,296 addresses)", "sg: port 3306: 3.64.0.0/28 + 0.0.0.0/0 together cover the whole internet", "port 3306 across the stack's security groups: 3.64.0.0/28 + 0.0.0.0/0 together cover the whole internet"], []],
        ["a value that is not a CIDR is named once, on its resource", [sgIngress({ protocol: "tcp", fromPort: 3306, toPort: 3306, cidrBlocks: ["office"] })], ['sg: port 3306: "office" is not an IPv4 CIDR such as 10.20.0.0/16'], []],
        ["the whole IPv6 internet in another spelling", [{ type: T.vpcIngressRule, name: "v6", props: { ipProtocol: "tcp", fromPort: 3306, toPort: 3306, cidrIpv6: "0::/0" } }], ["v6: port 3306: 0::/0 is the whole IPv6 internet"], []],
    ],
    "prod-database-not-public": [["only RDS instances are judged", [], [], [{ type: T.bucket, props: { tags: prod } }]]],
    "prod-rds-multi-az": [["only RDS instances are judged", [], [], [{ type: T.bucket, props: { tags: prod } }]]],
    "no-admin-role-for-workloads": [
        ["only role bindings are judged", [], [], [{ type: T.iamRole, props: { roleName: "OrganizationAdmin", crnPattern: "crn://x/kafka=lkc-1/topic=*" } }]],
        ["a connector group pattern that only starts like the wildcard", [], [], [binding("DeveloperRead", "crn://x/kafka=lkc-1/group=connect-lcc-*-dlq")]],
    ],
    "iam-trust-external-id": [
        ["a policy that is JSON but not a document (a number)", [role(42), { ...role(true), name: "role2" }], ["IAM role role: assumeRolePolicy is not a JSON policy document", "IAM role role2: assumeRolePolicy is not a JSON policy document"], []],
        ["a condition block that is not an object does not count as an external id", [role(trust({ AWS: GATEWAY }, { Bool: true }))], [`IAM role role: trusts ${GATEWAY} without an sts:ExternalId condition`], []],
        ["empty statements and a statement without a principal are skipped", [], [], [role({ Statement: [null, { Effect: "Allow", Action: "sts:AssumeRole" }] })]],
    ],
    "connector-topics-created": [
        [
            "a DLQ created under another name; a connector without plain config writes nothing checked",
            [{ type: T.connector, name: "sink", props: { configNonsensitive: { "connector.class": "S3_SINK", "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "lifesci.dlq.s3-raw" } } }, { type: T.kafkaTopic, name: "t", props: { topicName: "lifesci.dlq.s3-other" } }],
            ['connector sink writes dead-letter topic "lifesci.dlq.s3-raw", which is neither created beforehand nor creatable by the connector'],
            [{ type: T.connector, name: "sink", props: { configNonsensitive: { "connector.class": "S3_SINK", "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "lifesci.dlq.s3-raw" } } }, { type: T.kafkaTopic, name: "t", props: { topicName: "lifesci.dlq.s3-raw" } }, { type: T.connector, name: "c2", props: {} }],
        ],
    ],
    "prod-deletion-protection": [["one prod RDS among others makes the stack prod", [rds({ tags: dev }, false), { ...rds({}), name: "db2" }, { type: T.kafkaCluster, name: "kafka", props: {} }], ["prod Kafka cluster kafka: needs the Pulumi protect option"], []]],
};
for (const [rule, edges] of Object.entries(EDGES)) (BRANCHES[rule] ??= []).push(...edges);

describe("policy rules: every branch reported where it must be, silent where it must not", () => {
    for (const [rule, branches] of Object.entries(BRANCHES)) {
        for (const [what, bad, messages, good] of branches) {
            it(`${rule}: ${what}`, () => {
                if (bad.length) assert.deepEqual(report(rule, bad), messages);
                if (good.length) assert.deepEqual(report(rule, good), []);
            });
        }
    }

    it("every rule says what it requires in a description a reviewer can read", () => {
        for (const rule of POLICIES) {
            assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)+$/, rule.name);
            assert.ok(rule.description.length >= 30 && /\.$/.test(rule.description), `${rule.name}: "${rule.description}"`);
            assert.ok(rule.validateResource || rule.validateStack, rule.name);
        }
        assert.equal(new Set(POLICIES.map((r) => r.name)).size, POLICIES.length, "rule names are unique");
    });

    it("checkResources: a resource's violation carries its URN, a stack violation the URN it names; levels come from the rule", () => {
        const violations = checkResources([bucket("raw"), { type: T.kmsKey, name: "k", props: {} }].map(subject));
        const kms = violations.find((v) => v.policy === "kms-key-rotation")!;
        assert.deepEqual(kms, { policy: "kms-key-rotation", level: "advisory", message: "KMS key k: enableKeyRotation should be true", urn: `urn:${T.kmsKey}::k` });
        const encryption = violations.find((v) => v.policy === "s3-bucket-encrypted")!;
        assert.deepEqual([encryption.level, encryption.urn], ["mandatory", `urn:${T.bucket}::raw`]);
        const dlq = checkResources([subject({ type: T.connector, name: "sink", props: { configNonsensitive: { "connector.class": "S3_SINK", "errors.tolerance": "all", "errors.deadletterqueue.topic.name": "x.dlq" } } }, 0)]).filter((v) => v.policy === "connector-topics-created");
        assert.deepEqual(dlq.map((v) => v.urn), [`urn:${T.connector}::sink`], "a connector's missing topic is reported on the connector");
        const stackWide = checkResources([subject({ type: T.securityGroupRule, name: "a", props: { type: "ingress", protocol: "-1", cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] } }, 0)]).filter((v) => v.message.startsWith("port 3306 across"));
        assert.deepEqual(stackWide.map((v) => v.urn), [undefined], "a stack-wide finding names no single resource");
        assert.deepEqual(checkResources([subject({ type: T.kmsKey, props: {} }, 0)], []), [], "no rules, no violations");
    });
});
