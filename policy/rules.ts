// The platform's compliance rules as pure functions over resource descriptions. The policy pack
// (policy/index.ts) runs them inside `pulumi preview/up --policy-pack policy`; the offline plan
// (scripts/plan.ts) runs the same functions on the mock engine's inventory. Its imports are the
// program's import-free modules (CIDRs, the topics a connector writes), so it loads in both
// packages and both judge alike.
import { DEFAULT_MAX_CIDR_PREFIX, databaseCidrProblems } from "../components/config/cidr";
import { describeUncreatedTopics, uncreatedConnectorTopics } from "../components/connectorTopics";

export type EnforcementLevel = "mandatory" | "advisory";

/** One resource as a rule sees it: the engine's inputs, the protect option, what it depends on. */
export interface PolicySubject {
    type: string;
    name: string;
    urn: string;
    props: Record<string, any>;
    protect: boolean;
    /** Input property -> URNs of the resources the value came from (the engine's propertyDependencies). */
    propertyDependencies: Record<string, string[]>;
}

export type Report = (message: string, urn?: string) => void;

export interface PolicyRule {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    /** Checks one resource. */
    validateResource?: (resource: PolicySubject, report: Report) => void;
    /** Checks relations between resources (e.g. a bucket and its encryption configuration). */
    validateStack?: (resources: readonly PolicySubject[], report: Report) => void;
}

export const T = {
    rdsInstance: "aws:rds/instance:Instance",
    rdsParameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    rdsSubnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
    vpcIngressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    bucket: "aws:s3/bucket:Bucket",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketPublicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    bucketObjectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketAcl: "aws:s3/bucketAcl:BucketAcl",
    kmsKey: "aws:kms/key:Key",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    eventRule: "aws:cloudwatch/eventRule:EventRule",
    eventTarget: "aws:cloudwatch/eventTarget:EventTarget",
    lambdaFunction: "aws:lambda/function:Function",
    targetGroup: "aws:lb/targetGroup:TargetGroup",
    connector: "confluentcloud:index/connector:Connector",
    kafkaTopic: "confluentcloud:index/kafkaTopic:KafkaTopic",
    kafkaCluster: "confluentcloud:index/kafkaCluster:KafkaCluster",
    ksqlCluster: "confluentcloud:index/ksqlCluster:KsqlCluster",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
    iamRole: "aws:iam/role:Role",
    snowflakeUser: "snowflake:index/user:User",
    snowflakeServiceUser: "snowflake:index/serviceUser:ServiceUser",
    snowflakeLegacyServiceUser: "snowflake:index/legacyServiceUser:LegacyServiceUser",
    ecsService: "aws:ecs/service:Service",
    ecsTaskDefinition: "aws:ecs/taskDefinition:TaskDefinition",
    serviceAccount: "confluentcloud:index/serviceAccount:ServiceAccount",
    vpcEndpoint: "aws:ec2/vpcEndpoint:VpcEndpoint",
} as const;

const MYSQL_PORT = 3306;
const WORLD = ["0.0.0.0/0", "::/0"];
/** CDC source connector classes (managed and self-managed) whose TLS to MySQL is checked. */
const MYSQL_CDC_CLASSES = ["MySqlCdcSourceV2", "io.debezium.connector.mysql.MySqlConnector"];
/**
 * Roles that administer a whole organization, environment or cluster. Workloads (connectors,
 * ksqlDB, topic management) get Developer* roles on their prefixes instead.
 * https://docs.confluent.io/cloud/current/security/access-control/rbac/predefined-rbac-roles.html
 */
const ADMIN_ROLES = ["OrganizationAdmin", "EnvironmentAdmin", "CloudClusterAdmin", "AccountAdmin", "NetworkAdmin", "FlinkAdmin"];
const PROD_MIN_BACKUP_DAYS = 7;
/** Connector config keys that carry credentials (Confluent marks them sensitive). */
const SECRET_KEY_PATTERN = /(password|secret|private\.key|passphrase|credentials|token|(^|\.)api\.key$|access\.key)/i;
const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
/**
 * Container environment variable names that carry credentials: they belong in the container
 * definition's `secrets` (read from Secrets Manager at task start), whose values are only ARNs.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
 */
const SECRET_ENV_PATTERN = /(PASSWORD|SECRET|TOKEN|PRIVATE_KEY|API_?KEY|SASL_USERNAME|REGISTRY_USERNAME|CREDENTIAL)/i;
/** Where an ECS `secrets` entry may read from: Secrets Manager or SSM Parameter Store, by ARN. */
const SECRET_SOURCE_ARN = /^arn:aws[a-z-]*:(secretsmanager|ssm):/;
/** The accounts Kafka Streams apps run as carry this description (components/streams). */
const STREAMS_ACCOUNT_DESCRIPTION = /^Kafka Streams app /;
/**
 * What a Kafka Streams account may hold: read, write, and manage its own internal topics.
 * https://docs.confluent.io/platform/current/streams/developer-guide/security.html#required-acl-setting-for-secure-ak-clusters
 */
const STREAMS_ROLES = ["DeveloperRead", "DeveloperWrite", "DeveloperManage"];

/** prod resources are recognised by the `tier` tag every taggable resource of the platform carries. */
export function isProd(resource: PolicySubject): boolean {
    return resource.props.tags?.tier === "prod";
}

const ofType = (resources: readonly PolicySubject[], type: string) => resources.filter((r) => r.type === type);

/** An endpoint of an AWS service (`com.amazonaws.<region>.<service>`), not of an endpoint service (`com.amazonaws.vpce.…`, PrivateLink to Confluent). */
const AWS_SERVICE_ENDPOINT = /^com\.amazonaws\.(?!vpce\.)[a-z0-9-]+\.[a-z0-9.-]+$/;
/** The one unconditioned grant the ECR guide documents for the S3 gateway: reading image layers. */
const ECR_LAYER_BUCKET = /^arn:aws[a-z-]*:s3:::prod-[a-z0-9-]+-starport-layer-bucket\/\*$/;

/** Confluent resources carry no tags: a stack is prod when its RDS instance is. */
const prodStack = (resources: readonly PolicySubject[]) => ofType(resources, T.rdsInstance).some(isProd);

/** Ingress rules of a security group resource or a standalone rule resource. */
function ingressRules(r: PolicySubject): Record<string, any>[] {
    if (r.type === T.securityGroup) return r.props.ingress ?? [];
    if ((r.type === T.securityGroupRule && r.props.type !== "egress") || r.type === T.vpcIngressRule) return [r.props];
    return [];
}

function ruleCidrs(rule: Record<string, any>): string[] {
    return [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? []), rule.cidrIpv4, rule.cidrIpv6].filter((c): c is string => typeof c === "string");
}

/** A policy document given as JSON text (the usual input) or as an object. */
function policyDocument(value: unknown): { Statement?: any[] | any } | undefined {
    if (typeof value === "string") {
        try {
            return JSON.parse(value);
        } catch {
            return undefined;
        }
    }
    return value && typeof value === "object" ? (value as any) : undefined;
}

const asList = <X>(v: X | X[] | undefined): X[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** A key policy principal that is the account itself (`arn:<partition>:iam::<account>:root`): its IAM policies decide. */
const isAccountRoot = (principal: any): boolean => {
    const arns = asList<string>(principal?.AWS);
    return arns.length > 0 && arns.every((a) => /^arn:aws[\w-]*:iam::\d{12}:root$/.test(a) || /^\d{12}$/.test(a));
};

/** The bucket a bucket-setting resource configures: by dependency (preview) or by id/name value. */
function configures(setting: PolicySubject, bucket: PolicySubject): boolean {
    if ((setting.propertyDependencies.bucket ?? []).includes(bucket.urn)) return true;
    const target = setting.props.bucket;
    return target !== undefined && (target === bucket.props.bucket || target === bucket.props.id);
}

function settingsOf(resources: readonly PolicySubject[], type: string, bucket: PolicySubject): PolicySubject[] {
    return ofType(resources, type).filter((s) => configures(s, bucket));
}

function portInRange(port: number, from: unknown, to: unknown, protocol: unknown): boolean {
    if (protocol === "-1" || protocol === "all") return true;
    const lo = Number(from);
    const hi = Number(to);
    return Number.isFinite(lo) && Number.isFinite(hi) && lo <= port && port <= hi;
}

function opensToWorld(rule: Record<string, any>): boolean {
    const cidrs = [...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? []), rule.cidrIpv4, rule.cidrIpv6].filter(Boolean);
    return cidrs.some((c: string) => WORLD.includes(c)) && portInRange(MYSQL_PORT, rule.fromPort, rule.toPort, rule.protocol ?? rule.ipProtocol);
}

const isWildcardPrincipal = (p: unknown) => p === "*" || (typeof p === "object" && p !== null && asList((p as any).AWS).includes("*"));
const coversAction = (actions: unknown, action: string) =>
    asList(actions as string | string[]).some((a) => typeof a === "string" && new RegExp(`^${a.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action));
/** The principal ARN a Deny statement exempts (ArnNotEquals/StringNotEquals aws:PrincipalArn), if exactly one. */
function exemptPrincipal(st: any): string | undefined {
    for (const op of ["ArnNotEquals", "StringNotEquals", "ArnNotLike", "StringNotLike"]) {
        const v = st?.Condition?.[op]?.["aws:PrincipalArn"];
        const list = asList<string>(v);
        if (list.length === 1 && !list[0].includes("*")) return list[0];
    }
    return undefined;
}
/** A Deny for every principal on `actions`, with exactly one exempt principal. */
function guardingDeny(doc: { Statement?: any }, actions: readonly string[], resource?: (r: string) => boolean): any | undefined {
    return asList(doc.Statement).find(
        (st: any) =>
            st?.Effect === "Deny" &&
            isWildcardPrincipal(st.Principal) &&
            actions.every((a) => coversAction(st.Action, a)) &&
            (!resource || asList<string>(st.Resource).some(resource)) &&
            exemptPrincipal(st) !== undefined,
    );
}
/** The container definitions of an ECS task definition (JSON text, the provider's input); undefined while unknown. */
function containerDefinitions(value: unknown): Record<string, any>[] | undefined | "garbled" {
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    if (typeof value !== "string") return "garbled";
    try {
        const parsed = JSON.parse(value);
        return Array.isArray(parsed) ? parsed : "garbled";
    } catch {
        return "garbled";
    }
}

export const POLICIES: readonly PolicyRule[] = [
    {
        name: "rds-storage-encrypted",
        description: "RDS instances encrypt their storage (KMS).",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type === T.rdsInstance && r.props.storageEncrypted !== true) {
                report(`RDS instance ${r.name}: storageEncrypted must be true`);
            }
        },
    },
    {
        name: "s3-bucket-encrypted",
        description: "Every S3 bucket has a default server-side encryption configuration (aws:kms or AES256).",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            for (const bucket of ofType(resources, T.bucket)) {
                const configs = settingsOf(resources, T.bucketEncryption, bucket);
                const algorithms = configs.flatMap((c) => (c.props.rules ?? []).map((rule: any) => rule.applyServerSideEncryptionByDefault?.sseAlgorithm));
                if (!algorithms.some((a) => ["aws:kms", "aws:kms:dsse", "AES256"].includes(a))) {
                    report(`S3 bucket ${bucket.name}: no BucketServerSideEncryptionConfiguration with aws:kms or AES256`, bucket.urn);
                }
            }
        },
    },
    {
        name: "s3-no-public-access",
        description: "Every S3 bucket has a public access block with all four settings on, and no public ACL.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type === T.bucketPublicAccess) {
                const off = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].filter((k) => r.props[k] !== true);
                if (off.length > 0) report(`public access block ${r.name}: ${off.join(", ")} must be true`);
            }
            if ((r.type === T.bucket || r.type === T.bucketAcl) && PUBLIC_ACLS.includes(r.props.acl)) {
                report(`${r.name}: ACL "${r.props.acl}" makes the bucket public`);
            }
        },
        validateStack(resources, report) {
            for (const bucket of ofType(resources, T.bucket)) {
                if (settingsOf(resources, T.bucketPublicAccess, bucket).length === 0) {
                    report(`S3 bucket ${bucket.name}: no BucketPublicAccessBlock`, bucket.urn);
                }
            }
        },
    },
    {
        name: "audit-bucket-object-lock",
        description: "The audit archive bucket (tag purpose=audit-archive) has Object Lock on with a default retention rule.",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            for (const bucket of ofType(resources, T.bucket).filter((b) => b.props.tags?.purpose === "audit-archive")) {
                if (bucket.props.objectLockEnabled !== true) {
                    report(`audit bucket ${bucket.name}: objectLockEnabled must be true (it can only be set at creation)`, bucket.urn);
                    continue;
                }
                const locks = settingsOf(resources, T.bucketObjectLock, bucket);
                const retention = locks.map((l) => l.props.rule?.defaultRetention).find((d) => d && (d.days > 0 || d.years > 0));
                if (!retention) {
                    report(`audit bucket ${bucket.name}: no BucketObjectLockConfiguration with a default retention (days or years)`, bucket.urn);
                }
            }
        },
    },
    {
        name: "cdc-binlog-row-full",
        description: "MySQL parameter groups of the CDC sources set binlog_format=ROW and binlog_row_image=FULL.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type !== T.rdsParameterGroup || !String(r.props.family ?? "").startsWith("mysql")) return;
            const params = Object.fromEntries((r.props.parameters ?? []).map((p: any) => [p.name, String(p.value).toUpperCase()]));
            for (const [name, value] of [["binlog_format", "ROW"], ["binlog_row_image", "FULL"]]) {
                if (params[name] !== value) report(`parameter group ${r.name}: ${name} must be ${value} (got ${params[name] ?? "unset"})`);
            }
        },
    },
    {
        name: "db-port-not-public",
        description: `No security group admits the MySQL port (3306) from a CIDR broader than /${DEFAULT_MAX_CIDR_PREFIX}, from 0.0.0.0/0 or ::/0, or from CIDRs that together cover the internet.`,
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            for (const rule of ingressRules(r).filter((x) => portInRange(MYSQL_PORT, x.fromPort, x.toPort, x.protocol ?? x.ipProtocol))) {
                if (opensToWorld(rule)) report(`${r.name}: admits port ${MYSQL_PORT} from the whole internet`);
                for (const problem of databaseCidrProblems(ruleCidrs(rule))) report(`${r.name}: port ${MYSQL_PORT}: ${problem}`);
            }
        },
        validateStack(resources, report) {
            // Rules spread over several resources must not add up to the internet either.
            const all = resources.flatMap((r) => ingressRules(r).filter((x) => portInRange(MYSQL_PORT, x.fromPort, x.toPort, x.protocol ?? x.ipProtocol)).flatMap(ruleCidrs));
            const union = databaseCidrProblems(all.filter((c) => !c.includes(":")), 0).filter((p) => p.includes("together cover"));
            for (const problem of union) report(`port ${MYSQL_PORT} across the stack's security groups: ${problem}`);
        },
    },
    {
        name: "prod-database-not-public",
        description: "prod RDS instances are not publicly accessible (connectors arrive over PrivateLink).",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type === T.rdsInstance && isProd(r) && r.props.publiclyAccessible !== false) {
                report(`prod RDS instance ${r.name}: publiclyAccessible must be false`);
            }
        },
    },
    {
        name: "prod-rds-private-subnets",
        description:
            "prod RDS instances sit in a DB subnet group of the stack whose subnets the program verified private (tag networkPlacement=private-subnets: mysql.vpcId and mysql.subnetIds from config, not the default VPC), in at least 2 subnets.",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            for (const db of ofType(resources, T.rdsInstance).filter(isProd)) {
                const groups = ofType(resources, T.rdsSubnetGroup).filter(
                    (g) => (db.propertyDependencies.dbSubnetGroupName ?? []).includes(g.urn) || (db.props.dbSubnetGroupName !== undefined && db.props.dbSubnetGroupName === g.props.name),
                );
                if (groups.length === 0) {
                    report(`prod RDS instance ${db.name}: no DB subnet group of the stack; without one it lands in the default VPC (set mysql.vpcId and mysql.subnetIds)`, db.urn);
                    continue;
                }
                for (const g of groups) {
                    const placement = g.props.tags?.networkPlacement ?? "unset";
                    if (placement !== "private-subnets") {
                        report(`prod RDS instance ${db.name}: DB subnet group ${g.name} is not in verified private subnets (networkPlacement=${placement}); set mysql.vpcId and mysql.subnetIds`, g.urn);
                    }
                    if (!Array.isArray(g.props.subnetIds) || g.props.subnetIds.length < 2) {
                        report(`prod RDS instance ${db.name}: DB subnet group ${g.name} needs at least 2 subnets in different availability zones`, g.urn);
                    }
                }
            }
        },
    },
    {
        name: "audit-staging-write-guard",
        description:
            "The audit staging bucket (tag purpose=audit-staging), whose audit/ files S3 Replication locks into the archive, has a bucket policy denying writes and deletes under its prefix to every principal but one (the audit sink's role).",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            for (const bucket of ofType(resources, T.bucket).filter((b) => b.props.tags?.purpose === "audit-staging")) {
                const policies = settingsOf(resources, T.bucketPolicy, bucket);
                const docs = policies.map((p) => policyDocument(p.props.policy));
                if (docs.some((d) => d === undefined)) continue; // computed at preview: judged at update
                const guarded = docs.some((d) => guardingDeny(d!, ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"], (r) => /\/[^*]+\/\*$/.test(r)));
                if (!guarded) {
                    const where = policies.length ? ` (bucket policy ${policies.map((p) => p.name).join(", ")})` : "";
                    report(`audit staging bucket ${bucket.name}: no bucket policy denies PutObject/DeleteObject under the audit prefix to every principal but the audit sink role${where}`, policies[0]?.urn ?? bucket.urn);
                }
            }
        },
    },
    {
        name: "audit-archive-key-protected",
        description:
            "A stack with an audit archive bucket has a dedicated archive KMS key (tag purpose=audit-archive) whose key policy denies ScheduleKeyDeletion, DisableKey and PutKeyPolicy to every principal but one break-glass role, lets no principal but the account (its IAM policies) use it beyond kms:GenerateDataKey through S3 (kms:ViaService), and an EventBridge rule that catches ScheduleKeyDeletion.",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            const archives = ofType(resources, T.bucket).filter((b) => b.props.tags?.purpose === "audit-archive");
            if (archives.length === 0) return;
            const keys = ofType(resources, T.kmsKey).filter((k) => k.props.tags?.purpose === "audit-archive");
            if (keys.length === 0) {
                for (const b of archives) report(`audit archive ${b.name}: no dedicated KMS key (tag purpose=audit-archive); a shared key can be deleted with everything else`, b.urn);
                return;
            }
            for (const key of keys) {
                const doc = policyDocument(key.props.policy);
                if (doc === undefined && key.props.policy !== undefined) continue; // computed at preview
                if (!doc || !guardingDeny(doc, ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"])) {
                    report(`archive KMS key ${key.name}: its key policy must deny kms:ScheduleKeyDeletion, kms:DisableKey and kms:PutKeyPolicy to every principal but the break-glass role`, key.urn);
                }
                // Named key users (the evidence writers) may only encrypt new objects through S3: no
                // Decrypt (reading the audit trail), no management, no use outside S3.
                for (const st of asList(doc?.Statement)) {
                    if (st?.Effect !== "Allow" || isAccountRoot(st.Principal)) continue;
                    const actions = asList<string>(st.Action);
                    const viaS3 = asList<string>(st.Condition?.StringEquals?.["kms:ViaService"]);
                    if (actions.length === 0 || actions.some((a) => a !== "kms:GenerateDataKey") || viaS3.length === 0 || !viaS3.every((v) => /^s3\.[a-z0-9-]+\.amazonaws\.com$/.test(v))) {
                        report(`archive KMS key ${key.name}: statement ${st.Sid ?? "(no Sid)"} lets ${JSON.stringify(st.Principal)} use the key beyond kms:GenerateDataKey through S3 (kms:ViaService s3.<region>.amazonaws.com)`, key.urn);
                    }
                }
            }
            const watched = ofType(resources, T.eventRule).some((r) => {
                const pattern = policyDocument(r.props.eventPattern) as any;
                return asList(pattern?.detail?.eventName).includes("ScheduleKeyDeletion") && asList(pattern?.source).includes("aws.kms");
            });
            if (!watched) report("audit archive key: no EventBridge rule matches kms ScheduleKeyDeletion (the deletion would go unnoticed for its waiting period)");
        },
    },
    {
        name: "prod-privatelink-failover-retarget",
        description:
            "In prod, an NLB IP target group (the PrivateLink path to RDS) is followed after a failover: RDS instance events reach an EventBridge rule whose target is a Lambda function inside the VPC that re-targets the group.",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            if (!prodStack(resources)) return;
            const ipGroups = ofType(resources, T.targetGroup).filter((g) => g.props.targetType === "ip");
            if (ipGroups.length === 0) return;
            const rdsRules = ofType(resources, T.eventRule).filter((r) => {
                const pattern = policyDocument(r.props.eventPattern) as any;
                return asList(pattern?.source).includes("aws.rds") && asList(pattern?.["detail-type"]).includes("RDS DB Instance Event");
            });
            const retargeters = ofType(resources, T.lambdaFunction).filter(
                (f) => asList(f.props.vpcConfig?.subnetIds).length > 0 && typeof f.props.environment?.variables?.TARGET_GROUP_ARN === "string",
            );
            const wired = rdsRules.some((rule) =>
                ofType(resources, T.eventTarget).some(
                    (t) => (t.props.rule === rule.props.name || (t.propertyDependencies.rule ?? []).includes(rule.urn)) && typeof t.props.arn === "string" && t.props.arn.includes(":function:"),
                ),
            );
            for (const g of ipGroups) {
                if (rdsRules.length === 0) report(`prod target group ${g.name}: no EventBridge rule receives RDS instance events (a failover would leave the NLB on the old primary)`, g.urn);
                else if (!wired) report(`prod target group ${g.name}: the RDS events rule has no Lambda target to re-target the group`, g.urn);
                if (retargeters.length === 0) report(`prod target group ${g.name}: no Lambda function in the VPC re-targets it (vpcConfig.subnetIds and TARGET_GROUP_ARN)`, g.urn);
            }
        },
    },
    {
        name: "mysql-require-secure-transport",
        description: "MySQL parameter groups set require_secure_transport=1 (TLS only).",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type !== T.rdsParameterGroup || !String(r.props.family ?? "").startsWith("mysql")) return;
            const param = (r.props.parameters ?? []).find((p: any) => p.name === "require_secure_transport");
            if (!["1", "ON"].includes(String(param?.value ?? "").toUpperCase())) {
                report(`parameter group ${r.name}: require_secure_transport must be 1 (got ${param?.value ?? "unset"})`);
            }
        },
    },
    {
        name: "cdc-connector-verifies-tls",
        description: "MySQL CDC connectors verify the server certificate: database.ssl.mode verify_identity in prod, at least verify_ca elsewhere.",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            const prod = prodStack(resources);
            for (const c of ofType(resources, T.connector)) {
                const config: Record<string, unknown> = c.props.configNonsensitive ?? {};
                if (!MYSQL_CDC_CLASSES.includes(String(config["connector.class"]))) continue;
                const mode = String(config["database.ssl.mode"] ?? "unset");
                const allowed = prod ? ["verify_identity"] : ["verify_ca", "verify_identity"];
                if (!allowed.includes(mode)) report(`connector ${c.name}: database.ssl.mode must be ${allowed.join(" or ")}${prod ? " in prod" : ""} (got ${mode})`, c.urn);
            }
        },
    },
    {
        name: "connector-topics-created",
        description:
            "Every topic a connector writes (table topics, the signal table's topic, heartbeats, schema history, DLQs) is a KafkaTopic of the stack: managed connectors may not create topics, so a missing one stops the connector.",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            const created = new Set(ofType(resources, T.kafkaTopic).map((t) => String(t.props.topicName)));
            for (const c of ofType(resources, T.connector)) {
                const config: Record<string, unknown> = c.props.configNonsensitive ?? {};
                for (const message of describeUncreatedTopics(c.name, uncreatedConnectorTopics(config, created))) report(message, c.urn);
            }
        },
    },
    {
        name: "no-admin-role-for-workloads",
        description: "No role binding grants an organization/environment/cluster admin role, a whole-cluster topic or group wildcard, or KsqlAdmin to the account a ksqlDB cluster runs as.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type !== T.roleBinding) return;
            const role = String(r.props.roleName ?? "");
            const pattern = String(r.props.crnPattern ?? "");
            if (ADMIN_ROLES.includes(role)) report(`role binding ${r.name}: ${role} administers more than a workload needs; bind Developer* roles on its prefixes`);
            if (/\/(topic|group)=\*$/.test(pattern)) report(`role binding ${r.name}: ${role} on every ${pattern.endsWith("group=*") ? "consumer group" : "topic"} of the cluster`);
            if (/\/group=connect-lcc-\*$/.test(pattern)) report(`role binding ${r.name}: every managed connector's consumer group; bind connect-<the connector's id>`);
        },
        validateStack(resources, report) {
            for (const ksql of ofType(resources, T.ksqlCluster)) {
                const runtimeId = ksql.props.credentialIdentity?.id;
                const runtimeUrns = ksql.propertyDependencies.credentialIdentity ?? [];
                for (const b of ofType(resources, T.roleBinding).filter((x) => x.props.roleName === "KsqlAdmin")) {
                    const sameValue = runtimeId !== undefined && b.props.principal === `User:${runtimeId}`;
                    const sameSource = (b.propertyDependencies.principal ?? []).some((u) => runtimeUrns.includes(u));
                    if (sameValue || sameSource) report(`role binding ${b.name}: KsqlAdmin for the account ksqlDB cluster ${ksql.name} runs as; deploy statements with a separate account`, b.urn);
                }
            }
        },
    },
    {
        name: "iam-trust-external-id",
        description: "IAM roles that another AWS account (or anyone) may assume require sts:ExternalId in the trust policy.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type !== T.iamRole) return;
            const doc = policyDocument(r.props.assumeRolePolicy);
            if (!doc) {
                if (r.props.assumeRolePolicy !== undefined) report(`IAM role ${r.name}: assumeRolePolicy is not a JSON policy document`);
                return;
            }
            for (const st of asList(doc.Statement)) {
                if (st?.Effect !== "Allow") continue;
                const principal = st.Principal;
                const awsPrincipals = principal === "*" ? ["*"] : asList(principal?.AWS);
                if (awsPrincipals.length === 0) continue; // services and OIDC federation are checked by their own conditions
                const externalId = Object.values<any>(st.Condition ?? {}).some((c) => c && typeof c === "object" && "sts:ExternalId" in c);
                if (!externalId) report(`IAM role ${r.name}: trusts ${awsPrincipals.join(", ")} without an sts:ExternalId condition`);
            }
        },
    },
    {
        name: "connector-credentials-sensitive",
        description: "Connector passwords, keys and private keys are only in configSensitive, never in configNonsensitive.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type !== T.connector) return;
            const plainConfig: Record<string, unknown> = r.props.configNonsensitive ?? {};
            const leaked = Object.entries(plainConfig)
                .filter(([k, v]) => SECRET_KEY_PATTERN.test(k) || (typeof v === "string" && v.includes("-----BEGIN")))
                .map(([k]) => k);
            if (leaked.length > 0) report(`connector ${r.name}: ${leaked.join(", ")} must move to configSensitive`);
        },
    },
    {
        name: "prod-deletion-protection",
        description: "prod stateful resources (RDS, Kafka cluster, buckets) are protected; RDS has deletionProtection.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type === T.rdsInstance && isProd(r)) {
                if (r.props.deletionProtection !== true) report(`prod RDS instance ${r.name}: deletionProtection must be true`);
                if (!r.protect) report(`prod RDS instance ${r.name}: needs the Pulumi protect option`);
            }
            if (r.type === T.bucket && isProd(r) && !r.protect) report(`prod bucket ${r.name}: needs the Pulumi protect option`);
        },
        validateStack(resources, report) {
            // Confluent resources carry no tags: a cluster is prod when the stack's RDS instance is.
            if (!ofType(resources, T.rdsInstance).some(isProd)) return;
            for (const cluster of ofType(resources, T.kafkaCluster).filter((c) => !c.protect)) {
                report(`prod Kafka cluster ${cluster.name}: needs the Pulumi protect option`, cluster.urn);
            }
        },
    },
    {
        name: "rds-backup-retention",
        description: "RDS keeps automated backups (the binlog needs them): at least 1 day, at least 7 days in prod.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type !== T.rdsInstance) return;
            const days = Number(r.props.backupRetentionPeriod ?? 0);
            const min = isProd(r) ? PROD_MIN_BACKUP_DAYS : 1;
            if (!(days >= min)) report(`RDS instance ${r.name}: backupRetentionPeriod ${days} is below ${min} day(s)${isProd(r) ? " (prod)" : ""}`);
        },
    },
    {
        name: "snowflake-key-pair-auth",
        description: "Snowflake users authenticate with an RSA key pair, never a password.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (![T.snowflakeUser, T.snowflakeServiceUser, T.snowflakeLegacyServiceUser].includes(r.type as any)) return;
            if (r.props.password !== undefined) report(`Snowflake user ${r.name}: must not have a password`);
            if (!r.props.rsaPublicKey) report(`Snowflake user ${r.name}: rsaPublicKey is required (key-pair auth)`);
        },
    },
    {
        name: "ecs-task-not-public",
        description: "ECS services run their tasks in awsvpc mode without a public IP (assignPublicIp false): no task is reachable from the internet.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type !== T.ecsService) return;
            const network = r.props.networkConfiguration;
            if (!network) report(`ECS service ${r.name}: networkConfiguration with private subnets and assignPublicIp false is required`);
            else if (network.assignPublicIp !== false) report(`ECS service ${r.name}: assignPublicIp must be false (got ${network.assignPublicIp ?? "unset"})`);
        },
    },
    {
        name: "ecs-no-plaintext-secret",
        description: "ECS task definitions carry credentials only as `secrets` from Secrets Manager/SSM by ARN, never in a container's plain `environment`.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            if (r.type !== T.ecsTaskDefinition) return;
            const containers = containerDefinitions(r.props.containerDefinitions);
            if (containers === undefined) return;
            if (containers === "garbled") {
                report(`ECS task definition ${r.name}: containerDefinitions is not a JSON array`);
                return;
            }
            for (const c of containers) {
                for (const e of c.environment ?? []) {
                    const value = String(e?.value ?? "");
                    if (SECRET_ENV_PATTERN.test(String(e?.name)) || value.includes("-----BEGIN")) {
                        report(`ECS task definition ${r.name}: container ${c.name} has ${e?.name} in its plain environment; move it to secrets (Secrets Manager)`);
                    }
                }
                for (const s of c.secrets ?? []) {
                    if (!SECRET_SOURCE_ARN.test(String(s?.valueFrom))) report(`ECS task definition ${r.name}: container ${c.name} secret ${s?.name} does not come from Secrets Manager or SSM (valueFrom ${s?.valueFrom})`);
                }
            }
        },
    },
    {
        name: "streams-least-privilege",
        description:
            "A Kafka Streams app's account holds only DeveloperRead/Write/Manage, prefixed only on its application.id's internal topics and transactional ids (`<application.id>-*`), DeveloperManage only there, and its consumer group by literal name.",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            const accounts = ofType(resources, T.serviceAccount).filter((a) => STREAMS_ACCOUNT_DESCRIPTION.test(String(a.props.description ?? "")));
            for (const account of accounts) {
                const bindings = ofType(resources, T.roleBinding).filter((b) => (b.propertyDependencies.principal ?? []).includes(account.urn));
                for (const b of bindings) {
                    const role = String(b.props.roleName ?? "");
                    const pattern = String(b.props.crnPattern ?? "");
                    const resource = pattern.split("/").pop() ?? "";
                    const prefixed = resource.endsWith("*");
                    if (!STREAMS_ROLES.includes(role)) report(`role binding ${b.name}: ${role} is more than a Kafka Streams app needs (${STREAMS_ROLES.join(", ")})`, b.urn);
                    if (prefixed && !/^(topic|transactional-id)=[^*]+-\*$/.test(resource)) {
                        report(`role binding ${b.name}: prefix ${resource} is broader than the app's application.id prefix (<application.id>-*)`, b.urn);
                    }
                    if (role === "DeveloperManage" && !(prefixed && resource.startsWith("topic="))) {
                        report(`role binding ${b.name}: DeveloperManage on ${resource}; a Kafka Streams app manages only its internal topics`, b.urn);
                    }
                }
            }
        },
    },
    {
        name: "no-world-ingress",
        description: "No security group admits any port from 0.0.0.0/0 or ::/0: the platform's inbound paths are named CIDRs, security-group references and PrivateLink.",
        enforcementLevel: "mandatory",
        validateResource(r, report) {
            for (const rule of ingressRules(r)) {
                const world = ruleCidrs(rule).filter((c) => WORLD.includes(c));
                if (world.length > 0) report(`${r.name}: admits ports ${rule.fromPort}-${rule.toPort} from ${world.join(", ")}`);
            }
        },
    },
    {
        name: "aws-api-endpoint-guarded",
        description:
            "VPC endpoints of AWS services carry an explicit policy whose wildcard-principal grants all have a condition (only ECR's layer bucket read may go without); interface endpoints resolve by private DNS behind a security group that admits only other security groups (by reference), never a CIDR.",
        enforcementLevel: "mandatory",
        validateStack(resources, report) {
            for (const e of ofType(resources, T.vpcEndpoint).filter((x) => AWS_SERVICE_ENDPOINT.test(String(x.props.serviceName ?? "")))) {
                const doc = policyDocument(e.props.policy);
                if (!doc) report(`VPC endpoint ${e.name} (${e.props.serviceName}): needs an explicit endpoint policy (the default allows any principal, any action)`, e.urn);
                for (const st of asList(doc?.Statement)) {
                    if (st?.Effect !== "Allow" || !isWildcardPrincipal(st.Principal) || st.Condition) continue;
                    const layerRead = asList(st.Action).every((a) => a === "s3:GetObject") && asList(st.Resource).every((x) => ECR_LAYER_BUCKET.test(String(x)));
                    if (!layerRead) report(`VPC endpoint ${e.name}: statement ${st.Sid ?? "(no Sid)"} allows any principal without a condition`, e.urn);
                }
                if (e.props.vpcEndpointType !== "Interface") continue;
                if (e.props.privateDnsEnabled !== true) report(`VPC endpoint ${e.name}: privateDnsEnabled must be true (clients use the service's own name)`, e.urn);
                const groups = e.propertyDependencies.securityGroupIds ?? [];
                if (asList(e.props.securityGroupIds).length === 0) report(`VPC endpoint ${e.name}: needs its own security group (without one AWS attaches the VPC's default group)`, e.urn);
                for (const sg of resources.filter((x) => x.type === T.securityGroup && groups.includes(x.urn))) {
                    const inline = ingressRules(sg);
                    const standalone = resources.filter((x) => (x.type === T.vpcIngressRule || x.type === T.securityGroupRule) && (x.propertyDependencies.securityGroupId ?? []).includes(sg.urn)).flatMap(ingressRules);
                    for (const rule of [...inline, ...standalone]) {
                        if (ruleCidrs(rule).length > 0 || !(rule.referencedSecurityGroupId || rule.sourceSecurityGroupId || asList(rule.securityGroups).length)) {
                            report(`security group ${sg.name} of VPC endpoint ${e.name}: admits ${ruleCidrs(rule).join(", ") || "a source"} that is not a security group reference`, sg.urn);
                        }
                    }
                }
            }
        },
    },
    {
        name: "kms-key-rotation",
        description: "Customer-managed KMS keys rotate yearly.",
        enforcementLevel: "advisory",
        validateResource(r, report) {
            if (r.type === T.kmsKey && r.props.enableKeyRotation !== true) report(`KMS key ${r.name}: enableKeyRotation should be true`);
        },
    },
    {
        name: "s3-bucket-versioning",
        description: "S3 buckets keep object versions.",
        enforcementLevel: "advisory",
        validateStack(resources, report) {
            for (const bucket of ofType(resources, T.bucket)) {
                const enabled = settingsOf(resources, T.bucketVersioning, bucket).some((v) => v.props.versioningConfiguration?.status === "Enabled");
                if (!enabled) report(`S3 bucket ${bucket.name}: versioning should be Enabled`, bucket.urn);
            }
        },
    },
    {
        name: "prod-rds-multi-az",
        description: "prod RDS instances run multi-AZ.",
        enforcementLevel: "advisory",
        validateResource(r, report) {
            if (r.type === T.rdsInstance && isProd(r) && r.props.multiAz !== true) report(`prod RDS instance ${r.name}: multiAz should be true`);
        },
    },
];

export interface Violation {
    policy: string;
    level: EnforcementLevel;
    message: string;
    urn?: string;
}

/** Runs every rule on a set of resources, like the engine does during a preview. */
export function checkResources(resources: readonly PolicySubject[], rules: readonly PolicyRule[] = POLICIES): Violation[] {
    const violations: Violation[] = [];
    for (const rule of rules) {
        for (const r of resources) {
            rule.validateResource?.(r, (message, urn) => violations.push({ policy: rule.name, level: rule.enforcementLevel, message, urn: urn ?? r.urn }));
        }
        rule.validateStack?.(resources, (message, urn) => violations.push({ policy: rule.name, level: rule.enforcementLevel, message, urn }));
    }
    return violations;
}
