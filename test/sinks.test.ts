// Sinks: the S3 lake and audit archive, the Snowflake warehouse and the four sink connectors,
// through their pure builders and under mocks for the dev and prod stacks.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
    SINK_NAMES,
    WAREHOUSE_TABLES,
    WarehouseTable,
    allTopics,
    auditArchiveTopics,
    dlqTopicName,
    rawLakeTopics,
    warehouseSchemaKind,
    warehouseTopic,
} from "../components/catalog";
import { auditObjectLockRule, confluentTrustPolicy, iamRoleArn, pemBody, rawLifecycleRules, s3SinkConfig, sinkAccessPolicy, sinkCommonConfig, SNOWFLAKE_SINK_SENSITIVE_KEYS, snowflakeAccountUrl, snowflakeSinkConfig, tableColumnMismatches, tlsOnlyBucketPolicy, WAREHOUSE_SCHEMAS, WarehouseColumn, warehouseContractProblems, warehouseEvolution, warehouseTableColumns } from "../components/sinks";
import { LakeConfig } from "../components/config";
import { DdlTable, domainTables } from "../components/ddl";
import { connectorConfigProblems } from "./support/connectorKeys";
import { RecordedResource, StackRun, isSecretInput, plain, runStack } from "./support/harness";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    policy: "aws:s3/bucketPolicy:BucketPolicy",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    objectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    kmsKey: "aws:kms/key:Key",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    integration: "confluentcloud:index/providerIntegration:ProviderIntegration",
    connector: "confluentcloud:index/connector:Connector",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
    topic: "confluentcloud:index/kafkaTopic:KafkaTopic",
    sfProvider: "pulumi:providers:snowflake",
    sfDatabase: "snowflake:index/database:Database",
    sfSchema: "snowflake:index/schema:Schema",
    sfWarehouse: "snowflake:index/warehouse:Warehouse",
    sfTable: "snowflake:index/table:Table",
    sfExecute: "snowflake:index/execute:Execute",
    sfUser: "snowflake:index/serviceUser:ServiceUser",
    sfGrant: "snowflake:index/grantPrivilegesToAccountRole:GrantPrivilegesToAccountRole",
    tlsKey: "tls:index/privateKey:PrivateKey",
};

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "connector-keys.json"), "utf8"));
const MANAGED_TRANSFORMS: string[] = fixture._common_managed.transform_types;

const lakeConfig: LakeConfig = {
    rawInfrequentAccessDays: 30,
    rawGlacierDays: 90,
    rawExpirationDays: 365,
    auditLockMode: "GOVERNANCE",
    auditLockDays: 7,
    flushSize: 1000,
    rotateIntervalMs: 600_000,
    timeInterval: "HOURLY",
};

function s3Raw(overrides: Partial<Parameters<typeof s3SinkConfig>[0]> = {}) {
    return s3SinkConfig({
        connectorName: "lifesci-dev-s3-raw",
        serviceAccountId: "sa-sink01",
        topics: rawLakeTopics("lifesci"),
        dlqTopic: dlqTopicName("lifesci", "s3-raw"),
        bucket: "lifesci-dev-lake-raw-123456789012",
        region: "eu-central-1",
        topicsDir: "cdc",
        providerIntegrationId: "cspi-abc123",
        kmsKeyArn: "arn:aws:kms:eu-central-1:123456789012:key/k1",
        flushSize: 1000,
        rotateIntervalMs: 600_000,
        timeInterval: "HOURLY",
        ...overrides,
    });
}

function snowflakeRoutes(kind: WarehouseTable["source"]["kind"]) {
    return WAREHOUSE_TABLES.filter((t) => t.source.kind === kind).map((t) => ({ topic: warehouseTopic("lifesci", t), table: t.name }));
}

function snowflakeCdc(unwrap = true) {
    return snowflakeSinkConfig({
        connectorName: "lifesci-dev-snowflake-cdc",
        serviceAccountId: "sa-sink03",
        dlqTopic: dlqTopicName("lifesci", "snowflake-cdc"),
        tables: snowflakeRoutes("cdc"),
        accountUrl: snowflakeAccountUrl("lifesci", "lifesci_dev"),
        user: "LIFESCI_DEV_KAFKA_SINK",
        role: "LIFESCI_DEV_KAFKA_SINK",
        database: "LIFESCI_DEV_STREAMING",
        schema: "CDC",
        bufferFlushSeconds: 10,
        unwrapCdcEnvelope: unwrap,
    });
}

const SENSITIVE = Object.fromEntries(SNOWFLAKE_SINK_SENSITIVE_KEYS.map((k) => [k, "MIIEv..."]));

describe("sink connector configs (pure builders)", () => {
    it("S3 raw sink: documented keys only; all CDC topics as Parquet, time-partitioned, through the provider integration", () => {
        const config = s3Raw();
        assert.deepEqual(connectorConfigProblems("S3_SINK", config), []);
        assert.deepEqual(config.topics.split(","), allTopics("lifesci").filter((t) => t.table !== undefined).map((t) => t.name));
        assert.equal(config["input.data.format"], "AVRO");
        assert.equal(config["output.data.format"], "PARQUET");
        assert.equal(config["partitioner.class"], "TimeBasedPartitioner");
        assert.equal(config["time.interval"], "HOURLY");
        assert.match(config["path.format"], /'hour'=HH$/);
        assert.equal(config["authentication.method"], "IAM Roles");
        assert.equal(config["provider.integration.id"], "cspi-abc123");
        assert.ok(!("aws.access.key.id" in config) && !("aws.secret.access.key" in config), "no static AWS keys");
        assert.equal(config["s3.ssea.name"], "aws:kms");
        assert.equal(config["topics.dir"], "cdc");
        assert.equal(s3Raw({ timeInterval: "DAILY" })["path.format"], "'year'=YYYY/'month'=MM/'day'=dd");
    });

    it("S3 sinks take flush size and rotate interval from their settings", () => {
        const config = s3Raw({ flushSize: 10000, rotateIntervalMs: 3_600_000 });
        assert.equal(config["flush.size"], "10000");
        assert.equal(config["rotate.interval.ms"], "3600000");
    });

    it("every sink sets errors.tolerance and its own DLQ explicitly, and skips tombstones", () => {
        const configs: [string, Record<string, string>, string][] = [
            ["S3_SINK", s3Raw(), "lifesci.dlq.s3-raw"],
            ["SnowflakeSink", snowflakeCdc(), "lifesci.dlq.snowflake-cdc"],
        ];
        for (const [cls, config, dlq] of configs) {
            assert.equal(config["errors.tolerance"], "all", cls);
            assert.equal(config["errors.deadletterqueue.topic.name"], dlq, cls);
            // Each sink's own spelling of "ignore" (the key checker enforces the enum).
            assert.equal(config["behavior.on.null.values"].toLowerCase(), "ignore", cls);
        }
        assert.throws(
            () => sinkCommonConfig({ connectorClass: "S3_SINK", connectorName: "x", serviceAccountId: "sa", topics: [], dlqTopic: "d" }),
            /sink x: no topics to read/,
        );
    });

    it("Snowflake sink: documented keys; Snowpipe Streaming with a role, AVRO, topic-to-table map from the catalog", () => {
        const config = snowflakeCdc();
        assert.deepEqual(connectorConfigProblems("SnowflakeSink", config, SENSITIVE), []);
        assert.equal(config["snowflake.ingestion.method"], "SNOWPIPE_STREAMING");
        assert.equal(config["snowflake.role.name"], "LIFESCI_DEV_KAFKA_SINK");
        assert.equal(config["input.data.format"], "AVRO");
        assert.equal(config["snowflake.enable.schematization"], "true");
        assert.equal(config["snowflake.url.name"], "lifesci-lifesci_dev.snowflakecomputing.com:443");
        assert.equal(
            config["snowflake.topic2table.map"],
            "lifesci.sap.sap_orders.sales_orders:SAP_SALES_ORDERS,lifesci.lims.lims.spec_limits:LIMS_SPEC_LIMITS," +
                "lifesci.lims.lims.test_results:LIMS_TEST_RESULTS,lifesci.mes.mes.batches:MES_BATCHES",
        );
        assert.ok(!("snowflake.private.key" in config), "the private key never goes in the non-sensitive config");
        // Without the sensitive key the checker must complain: the test above is not vacuous.
        assert.ok(connectorConfigProblems("SnowflakeSink", config).includes("snowflake.private.key: required"));
    });

    it("Snowflake sink reads keys in the format they are written: AVRO for CDC topics, STRING for the key-less ksqlDB streams", () => {
        // Default STRING would garble the CDC connector's AVRO keys in RECORD_METADATA.
        assert.equal(snowflakeCdc()["input.key.format"], "AVRO");
        assert.equal(snowflakeCdc(false)["input.key.format"], "STRING");
    });

    it("CDC topics are unwrapped with a transform Confluent Cloud offers; deletes are kept as __deleted rows", () => {
        const config = snowflakeCdc();
        assert.equal(config.transforms, "unwrap");
        assert.ok(MANAGED_TRANSFORMS.includes(config["transforms.unwrap.type"]), config["transforms.unwrap.type"]);
        assert.equal(config["transforms.unwrap.delete.tombstone.handling.mode"], "rewrite");
        // The deprecated keys are gone (ignored from Debezium 3.2 on; issue 22, item 4).
        assert.ok(!("transforms.unwrap.delete.handling.mode" in config) && !("transforms.unwrap.drop.tombstones" in config));
        assert.ok(!("transforms" in snowflakeCdc(false)), "curated topics are not Debezium envelopes");
    });

    it("the key checker rejects what a careless edit would introduce", () => {
        const problems = connectorConfigProblems("S3_SINK", { ...s3Raw(), "output.data.format": "ORC", "flush.sizee": "1" });
        assert.ok(problems.some((p) => p.startsWith('output.data.format: "ORC" is not one of')), problems.join("\n"));
        assert.ok(problems.includes("flush.sizee: not a documented S3_SINK key"));
        const noRole = { ...snowflakeCdc() };
        delete noRole["snowflake.role.name"];
        assert.ok(connectorConfigProblems("SnowflakeSink", noRole, SENSITIVE).some((p) => p.startsWith("snowflake.role.name: required when")));
    });

    it("PEM bodies go on one line without header and footer", () => {
        assert.equal(pemBody("-----BEGIN PRIVATE KEY-----\nAAA\nBBB\n-----END PRIVATE KEY-----\n"), "AAABBB");
    });
});

describe("lake policies and rules (pure builders)", () => {
    it("TLS-only policy denies every non-TLS request to the bucket and its objects", () => {
        const [deny] = tlsOnlyBucketPolicy("arn:aws:s3:::b").Statement;
        assert.equal(deny.Effect, "Deny");
        assert.equal(deny.Action, "s3:*");
        assert.deepEqual(deny.Resource, ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
        assert.deepEqual(deny.Condition, { Bool: { "aws:SecureTransport": "false" } });
    });

    it("trust policy admits only the integration role with its external id, and refuses to build without them", () => {
        const [trust] = confluentTrustPolicy("arn:aws:iam::111:role/cc", "ext-1").Statement;
        assert.deepEqual(trust.Principal, { AWS: "arn:aws:iam::111:role/cc" });
        assert.deepEqual(trust.Condition, { StringEquals: { "sts:ExternalId": "ext-1" } });
        assert.throws(() => confluentTrustPolicy("arn:aws:iam::111:role/cc", ""), /no iamRoleArn\/externalId/);
    });

    it("sink access is limited to the buckets, their sink prefixes and the lake key", () => {
        const policy = sinkAccessPolicy([{ bucketArn: "arn:aws:s3:::raw", prefix: "cdc" }], "arn:aws:kms:r:1:key/k");
        const resources = policy.Statement.flatMap((s) => [s.Resource].flat());
        // "*" only for s3:ListAllMyBuckets, which has no resource type (Confluent's documented policy).
        assert.deepEqual(resources, ["*", "arn:aws:s3:::raw", "arn:aws:s3:::raw/cdc/*", "arn:aws:kms:r:1:key/k"]);
        assert.ok(!policy.Statement.some((s) => [s.Action].flat().some((a) => a.endsWith("*"))), "no wildcard actions");
    });

    it("raw lifecycle tiers down and expires by config; object lock uses days or years", () => {
        const [rule] = rawLifecycleRules(lakeConfig);
        assert.deepEqual(rule.transitions, [
            { days: 30, storageClass: "STANDARD_IA" },
            { days: 90, storageClass: "GLACIER_IR" },
        ]);
        assert.deepEqual(rule.expiration, { days: 365 });
        assert.equal(rawLifecycleRules({ ...lakeConfig, rawExpirationDays: undefined })[0].expiration, undefined);
        assert.deepEqual(auditObjectLockRule(lakeConfig), { defaultRetention: { mode: "GOVERNANCE", days: 7 } });
        assert.deepEqual(auditObjectLockRule({ ...lakeConfig, auditLockMode: "COMPLIANCE", auditLockDays: undefined, auditLockYears: 10 }), {
            defaultRetention: { mode: "COMPLIANCE", years: 10 },
        });
        assert.equal(iamRoleArn("arn:aws-cn:iam::1:user/x", "1", "r"), "arn:aws-cn:iam::1:role/r");
    });
});

describe("catalog: where topics land", () => {
    it("the raw lake gets every CDC topic, the archive the audit topic, each sink a DLQ topic that is created", () => {
        const names = allTopics("lifesci").map((t) => t.name);
        assert.equal(rawLakeTopics("lifesci").length, allTopics("lifesci").filter((t) => t.table).length);
        assert.deepEqual(auditArchiveTopics("lifesci"), ["lifesci.audit.cdc_changes"]);
        for (const sink of SINK_NAMES) assert.ok(names.includes(dlqTopicName("lifesci", sink)), sink);
    });

    it("every warehouse table reads a catalog topic; a bad entry fails naming the table", () => {
        for (const t of WAREHOUSE_TABLES) assert.ok(allTopics("lifesci").some((topic) => topic.name === warehouseTopic("lifesci", t)), t.name);
        const bad = (source: WarehouseTable["source"]): WarehouseTable => ({ name: "BROKEN", source, description: "" });
        assert.throws(() => warehouseTopic("lifesci", bad({ kind: "cdc", domain: "lims", table: "never_captured_table" })), /WAREHOUSE_TABLES BROKEN: table "never_captured_table" is not captured in domain lims/);
        assert.throws(() => warehouseTopic("lifesci", bad({ kind: "ksql", suffix: "ksql.nope", columns: [] })), /WAREHOUSE_TABLES BROKEN: "ksql.nope" is not a derived topic/);
        assert.equal(new Set(WAREHOUSE_TABLES.map((t) => t.name)).size, WAREHOUSE_TABLES.length, "table names are unique");
    });
});

describe("Snowflake tables <-> MySQL DDL / ksqlDB output contract", () => {
    it("maps every CDC table's columns from its DDL, with nullability, plus the connector's metadata and delete marker", () => {
        const orders = WAREHOUSE_TABLES.find((t) => t.name === "SAP_SALES_ORDERS")!;
        const columns = warehouseTableColumns(orders);
        const ddl = domainTables("sap").find((t) => t.name === "sales_orders")!;
        assert.deepEqual(columns.map((c) => c.name), ["RECORD_METADATA", ...ddl.columns.map((c) => c.name.toUpperCase()), "__DELETED"]);
        const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
        assert.deepEqual(byName.ORDER_ID, { name: "ORDER_ID", type: "NUMBER(20,0)", nullable: false });
        assert.deepEqual(byName.NET_VALUE, { name: "NET_VALUE", type: "NUMBER(15,2)", nullable: false });
        assert.deepEqual(byName.REQUESTED_DELIVERY, { name: "REQUESTED_DELIVERY", type: "DATE", nullable: true });
        assert.deepEqual(byName.STATUS_CHANGED_AT, { name: "STATUS_CHANGED_AT", type: "TIMESTAMP_NTZ(3)", nullable: false });
        assert.deepEqual(byName.STATUS, { name: "STATUS", type: "VARCHAR(13)", nullable: false }, "ENUM -> longest value");
        assert.deepEqual(byName.PLANT, { name: "PLANT", type: "VARCHAR(4)", nullable: false });
    });

    it("maps declared ksqlDB output columns", () => {
        const oos = WAREHOUSE_TABLES.find((t) => t.name === "LAB_RESULTS_OOS")!;
        const byName = Object.fromEntries(warehouseTableColumns(oos).map((c) => [c.name, c]));
        assert.equal(byName.RESULT_VALUE.type, "NUMBER(18,6)");
        assert.equal(byName.MEASURED_AT.type, "TIMESTAMP_NTZ(3)");
        assert.equal(byName.TEST_CODE.type, "VARCHAR");
        assert.equal(byName.RECORD_METADATA.type, "VARIANT");
    });

    it("a column that drifts from its source fails naming table and column", () => {
        const expected: WarehouseColumn[] = [
            { name: "RESULT_ID", type: "NUMBER(20,0)", nullable: false },
            { name: "RESULT_VALUE", type: "NUMBER(18,6)", nullable: false },
        ];
        const actual: WarehouseColumn[] = [
            { name: "RESULT_ID", type: "NUMBER(20,0)", nullable: false },
            { name: "RESULT_VALUE", type: "FLOAT", nullable: false },
            { name: "EXTRA", type: "VARCHAR", nullable: true },
        ];
        assert.deepEqual(tableColumnMismatches("LIMS_TEST_RESULTS", actual, expected), [
            "LIMS_TEST_RESULTS.RESULT_VALUE: is FLOAT NOT NULL, expected NUMBER(18,6) NOT NULL",
            "LIMS_TEST_RESULTS.EXTRA: not in the source schema",
        ]);
        assert.deepEqual(tableColumnMismatches("T", [], expected.slice(0, 1)), ["T.RESULT_ID: missing (expected NUMBER(20,0))"]);
    });

    it("the warehouse contract says which tables evolve: a CDC table may gain columns (the connector's schema evolution), a curated one may not", () => {
        const cdc = WAREHOUSE_TABLES.find((t) => t.name === "LIMS_TEST_RESULTS")!;
        const curated = WAREHOUSE_TABLES.find((t) => t.source.kind === "ksql")!;
        assert.equal(warehouseEvolution(cdc), "schema-evolution");
        assert.equal(warehouseEvolution(curated), "catalog");
        const added = { name: "RESULT_QUALIFIER", type: "VARCHAR", nullable: true };
        assert.deepEqual(warehouseContractProblems(cdc, [...warehouseTableColumns(cdc), added]), []);
        assert.deepEqual(warehouseContractProblems(curated, [...warehouseTableColumns(curated), added]), [`${curated.name}.RESULT_QUALIFIER: not in the source schema`]);
        const narrowed = warehouseTableColumns(cdc).map((c) => (c.name === "RESULT_VALUE" ? { ...c, type: "FLOAT" } : c));
        assert.match(warehouseContractProblems(cdc, narrowed)[0], /^LIMS_TEST_RESULTS\.RESULT_VALUE: is FLOAT NOT NULL, expected NUMBER\(18,6\) NOT NULL$/);
    });

    it("a DDL type without a mapping, or a missing DDL table, fails naming table and column", () => {
        const results = WAREHOUSE_TABLES.find((t) => t.name === "LIMS_TEST_RESULTS")!;
        const withBlob = (): DdlTable[] => [
            { name: "test_results", primaryKey: ["result_id"], columns: [{ name: "raw_trace", type: "BLOB", args: [], unsigned: false, nullable: true, autoIncrement: false, hasDefault: false }], references: [] },
        ];
        assert.throws(() => warehouseTableColumns(results, withBlob), /warehouse table LIMS_TEST_RESULTS .*column raw_trace has MySQL type BLOB/);
        assert.throws(() => warehouseTableColumns(results, () => []), /warehouse table LIMS_TEST_RESULTS \(lims\.test_results, sql\/mysql\/lims\/\): no migration creates test_results/);
    });
});

// ---------------------------------------------------------------------------------------------
// Under mocks, per stack.

const STACKS = ["dev", "prod"] as const;
const runs: Record<string, StackRun> = {};

async function idOf(r: RecordedResource): Promise<string> {
    return new Promise((resolve) => (r.resource as pulumi.CustomResource).id.apply(resolve));
}

function settingFor(run: StackRun, type: string, bucketId: string): RecordedResource {
    const matches = run.ofType(type).filter((s) => s.inputs.bucket === bucketId);
    assert.equal(matches.length, 1, `${type} for bucket ${bucketId}: ${matches.length}`);
    return matches[0];
}

const sinkConnector = (run: StackRun, sink: string) => run.one(T.connector, `sink-${sink}`);

describe("sinks under mocks (dev and prod)", function () {
    this.timeout(60_000);
    before(async () => {
        for (const stack of STACKS) runs[stack] = await runStack(stack);
    });

    after(() => {
        for (const stack of STACKS) {
            const run = runs[stack];
            const sinks = run.ofType(T.connector).filter((c) => c.name.startsWith("sink-")).length;
            console.log(`      ${stack}: ${run.ofType(T.bucket).length} buckets, ${run.ofType(T.sfTable).length} Snowflake tables, ${sinks} sink connectors`);
        }
    });

    for (const stack of STACKS) {
        it(`${stack}: every bucket is SSE-KMS with the lake key, versioned, private and TLS-only`, async () => {
            const run = runs[stack];
            const lakeKey = run.one(T.kmsKey, "lake-key");
            assert.equal(lakeKey.inputs.enableKeyRotation, true);
            assert.equal(run.ofType(T.bucket).length, 3);
            for (const bucket of run.ofType(T.bucket)) {
                const id = await idOf(bucket);
                const sse = settingFor(run, T.encryption, id).inputs.rules[0];
                // The archive has its own key (issue 22, item 9; test/auditGuards.test.ts).
                const key = bucket.name === "lake-audit" ? run.one(T.kmsKey, "lake-archive-key") : lakeKey;
                assert.deepEqual(sse.applyServerSideEncryptionByDefault, { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.state.arn });
                assert.equal(settingFor(run, T.versioning, id).inputs.versioningConfiguration.status, "Enabled");
                const pab = settingFor(run, T.publicAccess, id).inputs;
                assert.deepEqual([pab.blockPublicAcls, pab.blockPublicPolicy, pab.ignorePublicAcls, pab.restrictPublicBuckets], [true, true, true, true]);
                const policy = JSON.parse(settingFor(run, T.policy, id).inputs.policy);
                // Written out, not rebuilt with the builder under test. The archive's policy adds
                // replication-only writes and no deletes after it (auditArchive.test.ts), and keeps the
                // replication role out of the evidence prefix (evidenceArchive.test.ts).
                const arn = bucket.state.arn;
                assert.deepEqual(policy.Statement[0], {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [arn, `${arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                });
                // The archive's policy: TLS, replication-only writes, evidence writers, no deletes; staging adds its audit/ write guard.
                assert.equal(policy.Statement.length, bucket.name === "lake-audit" ? 4 : bucket.name === "lake-audit-staging" ? 2 : 1, bucket.name);
            }
        });

        it(`${stack}: the audit bucket has Object Lock from creation with the configured mode and period`, async () => {
            const run = runs[stack];
            const audit = run.one(T.bucket, "lake-audit");
            assert.equal(audit.inputs.objectLockEnabled, true);
            assert.equal(run.one(T.bucket, "lake-raw").inputs.objectLockEnabled, undefined);
            const lock = settingFor(run, T.objectLock, await idOf(audit));
            assert.equal(lock.inputs.objectLockEnabled, "Enabled");
            const expected = stack === "prod" ? { mode: "COMPLIANCE", years: 10 } : { mode: "GOVERNANCE", days: 7 };
            assert.deepEqual(lock.inputs.rule.defaultRetention, expected);
            assert.ok(lock.dependsOn.includes(`${T.versioning}::lake-audit-versioning`), "lock waits for versioning");
        });

        it(`${stack}: the raw bucket tiers down per stack config`, async () => {
            const run = runs[stack];
            const rule = settingFor(run, T.lifecycle, await idOf(run.one(T.bucket, "lake-raw"))).inputs.rules[0];
            assert.deepEqual(rule.transitions.map((t: any) => [t.days, t.storageClass]), [
                [30, "STANDARD_IA"],
                [stack === "prod" ? 180 : 90, "GLACIER_IR"],
            ]);
            assert.deepEqual(rule.expiration, stack === "prod" ? undefined : { days: 365 });
        });

        it(`${stack}: Confluent's provider integration names the role ARN; the role trusts only its iamRoleArn + externalId`, () => {
            const run = runs[stack];
            const integration = run.one(T.integration, "lake-confluent-integration");
            const role = run.one(T.role, "lake-sink-role");
            assert.equal(integration.inputs.aws.customerRoleArn, `arn:aws:iam::123456789012:role/lifesci-${stack}-confluent-s3-sink`);
            assert.equal(integration.inputs.aws.customerRoleArn, role.state.arn, "the precomputed ARN is the role's real ARN");
            const [trust] = JSON.parse(role.inputs.assumeRolePolicy).Statement;
            assert.deepEqual(trust.Principal, { AWS: integration.state.aws.iamRoleArn });
            assert.equal(trust.Condition.StringEquals["sts:ExternalId"], integration.state.aws.externalId);

            const policy = JSON.parse(run.one(T.rolePolicy, "lake-sink-access").inputs.policy);
            const resources = policy.Statement.flatMap((s: any) => [s.Resource].flat());
            const raw = run.one(T.bucket, "lake-raw").state.arn;
            const staging = run.one(T.bucket, "lake-audit-staging").state.arn;
            // The raw sink's role reaches the raw bucket only; the audit sink has its own role (issue 22, item 8).
            assert.deepEqual(resources, ["*", raw, `${raw}/cdc/*`, run.one(T.kmsKey, "lake-key").state.arn]);
            assert.ok(!resources.includes(staging));
        });

        it(`${stack}: the S3 sinks write the catalog's topics to their buckets with config from the stack`, async () => {
            const run = runs[stack];
            const integrationIds: Record<string, string> = {
                "s3-raw": await idOf(run.one(T.integration, "lake-confluent-integration")),
                "s3-audit": await idOf(run.one(T.integration, "lake-audit-confluent-integration")),
            };
            const flush = stack === "prod" ? "10000" : "1000";
            const rotate = stack === "prod" ? "3600000" : "600000";
            for (const [sink, bucket, topics] of [
                ["s3-raw", "lake-raw", rawLakeTopics("lifesci")],
                ["s3-audit", "lake-audit-staging", auditArchiveTopics("lifesci")],
            ] as const) {
                const config: Record<string, string> = sinkConnector(run, sink).inputs.configNonsensitive;
                assert.deepEqual(connectorConfigProblems("S3_SINK", config), [], sink);
                assert.deepEqual(config.topics.split(","), topics);
                assert.equal(config["s3.bucket.name"], run.one(T.bucket, bucket).inputs.bucket);
                assert.equal(config["output.data.format"], "PARQUET");
                assert.equal(config["flush.size"], flush);
                assert.equal(config["rotate.interval.ms"], rotate);
                assert.equal(config["errors.deadletterqueue.topic.name"], dlqTopicName("lifesci", sink));
                assert.equal(config["behavior.on.null.values"], "ignore");
                assert.match(config["provider.integration.id"], /^cspi-/);
                assert.equal(config["provider.integration.id"], integrationIds[sink]);
                const deps = sinkConnector(run, sink).dependsOn;
                assert.ok(deps.includes(`${T.rolePolicy}::${sink === "s3-raw" ? "lake-sink-access" : "lake-audit-sink-access"}`), `${sink} waits for its IAM access`);
                assert.ok(deps.includes(`${T.topic}::streaming-topic-${dlqTopicName("lifesci", sink)}`), `${sink} waits for its DLQ topic`);
            }
        });

        it(`${stack}: Snowflake sinks route catalog topics to their tables with the key pair's private key as a secret`, () => {
            const run = runs[stack];
            const key = run.one(T.tlsKey);
            const privateKey = pemBody(plain(key.state.privateKeyPemPkcs8));
            for (const [sink, kind] of [
                ["snowflake-cdc", "cdc"],
                ["snowflake-curated", "ksql"],
            ] as const) {
                const c = sinkConnector(run, sink);
                const config: Record<string, string> = c.inputs.configNonsensitive;
                const sensitive = plain<Record<string, string>>(c.inputs.configSensitive);
                assert.deepEqual(connectorConfigProblems("SnowflakeSink", config, sensitive), [], sink);
                assert.equal(sensitive["snowflake.private.key"], privateKey);
                assert.ok(!JSON.stringify(config).includes(privateKey), "private key leaked into configNonsensitive");
                assert.deepEqual(
                    config["snowflake.topic2table.map"].split(",").map((pair) => pair.split(":")),
                    snowflakeRoutes(kind).map((r) => [r.topic, r.table]),
                );
                assert.equal(config["snowflake.schema.name"], WAREHOUSE_SCHEMAS[kind]);
                assert.equal(config["snowflake.database.name"], run.one(T.sfDatabase).inputs.name);
                assert.equal(config["snowflake.user.name"], run.one(T.sfUser).inputs.name);
                assert.equal(config["snowflake.url.name"], `lifesci-lifesci_${stack}.snowflakecomputing.com:443`);
                assert.equal(config["buffer.flush.time"], stack === "prod" ? "30" : "10");
                for (const t of WAREHOUSE_TABLES.filter((w) => w.source.kind === kind)) {
                    assert.ok(c.dependsOn.includes(`${T.sfTable}::warehouse-table-${t.name}`), `${sink} waits for table ${t.name}`);
                }
            }
        });

        it(`${stack}: snowflake-streams reads the status topic as flat JSON and skips its tombstones on purpose (the table keeps each decision)`, () => {
            const c = sinkConnector(runs[stack], "snowflake-streams");
            const config: Record<string, string> = c.inputs.configNonsensitive;
            assert.deepEqual(connectorConfigProblems("SnowflakeSink", config, plain<Record<string, string>>(c.inputs.configSensitive)), []);
            assert.deepEqual(config.topics.split(","), snowflakeRoutes("streams").map((r) => r.topic));
            assert.deepEqual(config.topics.split(","), ["lifesci.streams.batch_release_status"]);
            assert.deepEqual([config["input.data.format"], config["input.key.format"]], ["JSON", "STRING"]);
            // A deleted batch's tombstone: IGNORE skips it (DEFAULT would insert an empty row); its
            // earlier decisions stay in CURATED.BATCH_RELEASE_STATUS, and nothing reaches the DLQ.
            assert.equal(config["behavior.on.null.values"], "IGNORE");
            assert.equal(config["errors.tolerance"], "all");
            assert.equal(config["errors.deadletterqueue.topic.name"], dlqTopicName("lifesci", "snowflake-streams"));
            assert.equal(config["snowflake.schema.name"], WAREHOUSE_SCHEMAS.ksql);
            assert.equal(config.transforms, undefined, "no unwrap transform: the values are the app's, not Debezium envelopes");
        });

        it(`${stack}: each sink's service account reads exactly its topics and subjects, its consumer group, and writes its DLQ`, () => {
            const run = runs[stack];
            const topicsOf: Record<string, string[]> = {
                "s3-raw": rawLakeTopics("lifesci"),
                "s3-audit": auditArchiveTopics("lifesci"),
                "snowflake-cdc": snowflakeRoutes("cdc").map((r) => r.topic),
                "snowflake-curated": snowflakeRoutes("ksql").map((r) => r.topic),
                "snowflake-streams": snowflakeRoutes("streams").map((r) => r.topic),
            };
            for (const sink of SINK_NAMES) {
                const bindings = run.ofType(T.roleBinding).filter((b) => b.name.startsWith(`sink-${sink}-identity-`));
                const grants = bindings.map((b) => `${b.inputs.roleName} ${String(b.inputs.crnPattern).split("/").pop()}`).sort();
                // The CDC Snowflake sink reads AVRO keys (input.key.format=AVRO), so it also reads the -key subjects.
                const keySubjects = (t: string) => (sink === "snowflake-cdc" ? [`DeveloperRead subject=${t}-key`] : []);
                // The Streams sink reads schemaless JSON: no value subject exists or is granted.
                const valueSubjects = (t: string) => (sink === "snowflake-streams" ? [] : [`DeveloperRead subject=${t}-value`]);
                const expected = [
                    ...topicsOf[sink].flatMap((t) => [`DeveloperRead topic=${t}`, ...valueSubjects(t), ...keySubjects(t)]),
                    `DeveloperWrite topic=${dlqTopicName("lifesci", sink)}`,
                    // Its own consumer group only, named by the connector's id (never connect-lcc-*).
                    `DeveloperRead group=connect-${sinkConnector(run, sink).id}`,
                ].sort();
                assert.deepEqual(grants, expected, sink);
                assert.match(sinkConnector(run, sink).id!, /^lcc-/);
                const principals = new Set(bindings.map((b) => b.inputs.principal));
                assert.equal(principals.size, 1, `${sink} uses one service account`);
                assert.equal(sinkConnector(run, sink).inputs.configNonsensitive["kafka.service.account.id"], [...principals][0].replace("User:", ""));
            }
        });

        it(`${stack}: Snowflake provider enables table previews explicitly; tables, grants and schema evolution follow the catalog`, () => {
            const run = runs[stack];
            const provider = run.one(T.sfProvider);
            assert.deepEqual(JSON.parse(provider.inputs.previewFeaturesEnabled), ["snowflake_table_resource"]);
            assert.deepEqual(
                run.ofType(T.sfTable).map((t) => [t.inputs.schema, t.inputs.name]),
                WAREHOUSE_TABLES.map((t) => [WAREHOUSE_SCHEMAS[warehouseSchemaKind(t)], t.name]),
            );
            const db: string = run.one(T.sfDatabase).inputs.name;
            assert.equal(db, `LIFESCI_${stack.toUpperCase()}_STREAMING`);
            // CDC tables evolve with their source (the connector adds columns); curated ones only through the catalog.
            for (const t of WAREHOUSE_TABLES) {
                const fq: string = `"${db}"."${WAREHOUSE_SCHEMAS[warehouseSchemaKind(t)]}"."${t.name}"`;
                const evolution = run.ofType(T.sfExecute).filter((e) => e.name === `warehouse-schema-evolution-${t.name}`);
                const table = run.one(T.sfTable, `warehouse-table-${t.name}`);
                if (t.source.kind === "cdc") {
                    assert.equal(evolution[0]?.inputs.execute, `ALTER TABLE ${fq} SET ENABLE_SCHEMA_EVOLUTION = TRUE`, t.name);
                    assert.deepEqual(table.ignoreChanges, ["columns"], `${t.name}: later columns are the connector's to add`);
                } else {
                    assert.deepEqual(evolution, [], `${t.name}: curated tables change only through the catalog`);
                    assert.deepEqual(table.ignoreChanges, [], `${t.name}: Pulumi owns the curated columns`);
                }
            }
            const grants = run.ofType(T.sfGrant).map((g) => {
                const on = g.inputs.onAccountObject?.objectName ?? g.inputs.onSchema?.schemaName ?? g.inputs.onSchemaObject?.objectName;
                return `${g.inputs.privileges.join("+")} ${on}`;
            });
            assert.deepEqual(grants.sort(), [
                `USAGE ${db}`,
                `USAGE "${db}"."CDC"`,
                `USAGE "${db}"."CURATED"`,
                ...WAREHOUSE_TABLES.map((t) => `${t.source.kind === "cdc" ? "INSERT+EVOLVE SCHEMA" : "INSERT"} "${db}"."${WAREHOUSE_SCHEMAS[warehouseSchemaKind(t)]}"."${t.name}"`),
            ].sort());
            assert.ok(run.ofType(T.sfGrant).every((g) => g.inputs.accountRoleName === `LIFESCI_${stack.toUpperCase()}_KAFKA_SINK`));
            // Issue 22, item 3: the sink role evolves CDC tables with INSERT + EVOLVE SCHEMA and never owns
            // them; the table's owner (the deployer, through the provider that created it) enables evolution.
            assert.deepEqual(run.resources.filter((r) => /grantOwnership/i.test(r.type)).map((r) => r.name), []);
            assert.ok(!run.ofType(T.sfGrant).some((g) => (g.inputs.privileges ?? []).includes("OWNERSHIP") || g.inputs.allPrivileges));
            for (const t of WAREHOUSE_TABLES.filter((w) => w.source.kind === "cdc")) {
                const table = run.one(T.sfTable, `warehouse-table-${t.name}`);
                const evolution = run.one(T.sfExecute, `warehouse-schema-evolution-${t.name}`);
                assert.ok(table.provider && evolution.provider === table.provider, `${t.name}: ALTER TABLE runs as the table's owner`);
            }
        });

        it(`${stack}: contract: every Snowflake table's columns match its source schema through the type mapping`, () => {
            const problems = runs[stack].ofType(T.sfTable).flatMap((t) => {
                const spec = WAREHOUSE_TABLES.find((w) => w.name === t.inputs.name);
                if (!spec) return [`${t.inputs.name}: table is not in the catalog`];
                return tableColumnMismatches(t.inputs.name, t.inputs.columns, warehouseTableColumns(spec));
            });
            assert.deepEqual(problems, []);
            // And independently of the builder: CDC tables carry every column of the effective schema by name, in order.
            for (const t of runs[stack].ofType(T.sfTable).filter((x) => x.inputs.schema === "CDC")) {
                const spec = WAREHOUSE_TABLES.find((w) => w.name === t.inputs.name)!;
                const source = spec.source as { domain: string; table: string };
                const ddl = domainTables(source.domain).find((d) => d.name === source.table)!;
                const names = t.inputs.columns.map((c: WarehouseColumn) => c.name).filter((n: string) => n !== "RECORD_METADATA" && n !== "__DELETED");
                assert.deepEqual(names, ddl.columns.map((c) => c.name.toUpperCase()), t.inputs.name);
            }
        });

        it(`${stack}: the connector user has the key pair's public key; the private key is secret and in no output`, async () => {
            const run = runs[stack];
            const key = run.one(T.tlsKey);
            assert.equal(key.inputs.algorithm, "RSA");
            assert.ok(key.inputs.rsaBits >= 2048);
            assert.ok(key.secretOutputs.includes("privateKeyPemPkcs8"), "tls marks the private key secret");
            assert.equal(run.one(T.sfUser).inputs.rsaPublicKey, pemBody(key.state.publicKeyPem));
            const privateKey = pemBody(plain(key.state.privateKeyPemPkcs8));
            assert.ok(!JSON.stringify(run.outputs).includes(privateKey));
            for (const [name, value] of Object.entries(run.rawOutputs)) {
                if (pulumi.Output.isInstance(value)) assert.equal(await pulumi.isSecret(value as pulumi.Output<unknown>), false, name);
            }
            for (const sink of SINK_NAMES) assert.ok(run.outputs.sinkConnectorIds && (run.outputs.sinkConnectorIds as any)[sink], sink);
        });
    }

    it("the Snowflake deployer's private key from config reaches the explicit provider as a secret", async () => {
        const run = await runStack("dev", {
            set: { "snowflake:privateKey": "-----BEGIN PRIVATE KEY-----\nDEPLOYERKEY\n-----END PRIVATE KEY-----", "snowflake:user": "PULUMI_DEPLOYER" },
            secretKeys: ["snowflake:privateKey"],
        });
        const provider = run.one(T.sfProvider);
        // (The Snowflake SDK marks privateKey secret itself; what the program decides is where the value comes from.)
        assert.equal(plain(provider.inputs.privateKey), "-----BEGIN PRIVATE KEY-----\nDEPLOYERKEY\n-----END PRIVATE KEY-----");
        assert.equal(provider.inputs.authenticator, "SNOWFLAKE_JWT");
        assert.equal(provider.inputs.user, "PULUMI_DEPLOYER");
        assert.ok(!JSON.stringify(run.outputs).includes("DEPLOYERKEY"));
    });

    it("prod protects buckets, lake key, object lock and the Snowflake database, schemas and tables; dev protects none", () => {
        const stateful = [T.bucket, T.objectLock, T.sfDatabase, T.sfSchema, T.sfTable];
        for (const type of stateful) {
            assert.ok(runs.prod.ofType(type).length > 0, type);
            assert.ok(runs.prod.ofType(type).every((r) => r.protect), `prod ${type} not protected`);
            assert.ok(runs.dev.ofType(type).every((r) => !r.protect), `dev ${type} protected`);
        }
        assert.equal(runs.prod.one(T.kmsKey, "lake-key").protect, true);
        assert.equal(runs.prod.one(T.bucket, "lake-raw").inputs.forceDestroy, false);
        assert.equal(runs.dev.one(T.bucket, "lake-raw").inputs.forceDestroy, true);
    });

    it("dev and prod differ where the stack files say: warehouse size and auto-suspend", () => {
        const wh = (stack: string) => runs[stack].one(T.sfWarehouse).inputs;
        assert.deepEqual([wh("dev").warehouseSize, wh("dev").autoSuspend], ["XSMALL", 60]);
        assert.deepEqual([wh("prod").warehouseSize, wh("prod").autoSuspend], ["SMALL", 300]);
        assert.equal(runs.prod.one(T.sfDatabase).inputs.dataRetentionTimeInDays, 30);
    });
});

describe("warehouse: a replayed row is recognisable", () => {
    it("the Snowflake sink writes topic, partition, offset and CreateTime into RECORD_METADATA of every row", () => {
        const config = snowflakeSinkConfig({
            connectorName: "x",
            serviceAccountId: "sa",
            dlqTopic: "lifesci.dlq.x",
            tables: [{ topic: "lifesci.ksql.lab_results_oos", table: "LAB_RESULTS_OOS" }],
            accountUrl: "a",
            user: "u",
            role: "r",
            database: "d",
            schema: "CURATED",
            bufferFlushSeconds: 10,
            unwrapCdcEnvelope: false,
        });
        for (const key of ["snowflake.metadata.all", "snowflake.metadata.topic", "snowflake.metadata.offset.and.partition", "snowflake.metadata.createtime"]) {
            assert.equal(config[key], "true", key);
        }
    });
});
