// Evaluates index.ts for the dev and prod stacks under mocks and asserts what the engine
// would receive.
import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { DOMAINS, SINK_NAMES, STREAMS_APPS, allTopics, cdcTopicPrefix, heartbeatTopicName, schemaHistoryTopic, topicName } from "../components/catalog";
import * as fs from "fs";
import * as path from "path";
import { SSL_MODES } from "../components/config";
import { connectorConfigProblems } from "./support/connectorKeys";
import { DEFAULT_INVOKES, REPO_ROOT, StackRun, isSecretInput, plain, readStackConfig, runStack } from "./support/harness";

const T = {
    instance: "aws:rds/instance:Instance",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    kmsKey: "aws:kms/key:Key",
    environment: "confluentcloud:index/environment:Environment",
    cluster: "confluentcloud:index/kafkaCluster:KafkaCluster",
    topic: "confluentcloud:index/kafkaTopic:KafkaTopic",
    connector: "confluentcloud:index/connector:Connector",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
    serviceAccount: "confluentcloud:index/serviceAccount:ServiceAccount",
    apiKey: "confluentcloud:index/apiKey:ApiKey",
    password: "random:index/randomPassword:RandomPassword",
    dynamic: "pulumi-nodejs:dynamic:Resource",
};

/** Bootstrap TLS modes that encrypt (TlsMode minus "disabled"). */
const ENCRYPTED_TLS_MODES = ["required", "verify_ca", "verify_identity"];
const stackCdcConfig = (stack: string) => JSON.parse(readStackConfig(stack).values["lifesci-streaming:cdc"] ?? "{}");

const EGRESS = ["18.156.12.32/28", "3.64.0.0/28", "52.28.44.16/29"];
const HOUR_MS = 3_600_000;

const runs: Record<string, StackRun> = {};
const timings: Record<string, number> = {};

before(async function () {
    this.timeout(120_000);
    // The shared runs (evaluated once per test process); each carries its evaluation's time.
    for (const stack of ["dev", "prod"]) {
        runs[stack] = await runStack(stack);
        timings[stack] = runs[stack].evaluationMs;
    }
});

after(() => {
    for (const [stack, run] of Object.entries(runs)) {
        const custom = run.resources.filter((r) => r.custom).length;
        console.log(`      ${stack}: ${custom} resources (${run.resources.length} with components) in ${timings[stack].toFixed(0)} ms`);
    }
});

describe("stacks: both evaluate", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack} registers the RDS source, Confluent platform and one CDC connector per domain`, () => {
            const run = runs[stack];
            assert.equal(run.ofType(T.instance).length, 1);
            assert.equal(run.ofType(T.cluster).length, 1);
            assert.equal(run.ofType(T.connector).filter((c) => c.name.startsWith("cdc-")).length, DOMAINS.length);
            assert.equal(run.ofType(T.connector).length, DOMAINS.length + SINK_NAMES.length, "plus one per sink");
            assert.equal(run.ofType(T.topic).length, allTopics("lifesci").length);
            assert.ok(timings[stack] < 10_000, `${stack} took ${timings[stack]} ms to evaluate`);
        });
    }
});

describe("stacks: RDS MySQL is CDC-ready", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: parameter group sets ROW/FULL binlog, row metadata and TLS-only transport`, () => {
            const pg = runs[stack].one(T.parameterGroup);
            assert.equal(pg.inputs.family, "mysql8.0");
            const params = Object.fromEntries(pg.inputs.parameters.map((p: any) => [p.name, p.value]));
            assert.deepEqual(params, {
                binlog_format: "ROW",
                binlog_row_image: "FULL",
                binlog_row_metadata: "FULL",
                require_secure_transport: "1",
            });
            const db = runs[stack].one(T.instance);
            assert.equal(db.inputs.parameterGroupName, pg.inputs.name);
        });

        it(`${stack}: instance is encrypted with its own rotating KMS key, backed up, with a generated secret password`, () => {
            const db = runs[stack].one(T.instance);
            const key = runs[stack].one(T.kmsKey, "mysql-storage");
            assert.equal(db.inputs.storageEncrypted, true);
            assert.equal(db.inputs.kmsKeyId, key.state.arn);
            assert.equal(key.inputs.enableKeyRotation, true);
            assert.ok(db.inputs.backupRetentionPeriod >= (stack === "prod" ? 7 : 1));
            // (The AWS SDK marks `password` secret itself; the program decides that it is generated.)
            assert.equal(plain(db.inputs.password), plain(runs[stack].one(T.password, "mysql-master-password").state.result));
            assert.notEqual(db.inputs.username, "admin");
        });

        it(`${stack}: port 3306 is open only to ${stack === "dev" ? "Confluent connector egress and " : ""}operator CIDRs`, () => {
            const run = runs[stack];
            const sg = run.one(T.securityGroup, "mysql-sg");
            const rule = sg.inputs.ingress.find((r: any) => r.cidrBlocks);
            assert.deepEqual([rule.protocol, rule.fromPort, rule.toPort], ["tcp", 3306, 3306]);
            const operator = stack === "prod" ? "10.10.0.0/16" : "10.40.0.0/16";
            // prod: connectors arrive through PrivateLink, never from Confluent's shared egress ranges.
            assert.deepEqual(rule.cidrBlocks, stack === "prod" ? [operator] : [operator, ...EGRESS].sort());
            assert.ok(!rule.cidrBlocks.some((c: string) => c.endsWith("/0")));
            assert.deepEqual(sg.inputs.egress, []);
            assert.deepEqual(run.one(T.instance).inputs.vpcSecurityGroupIds, [sg.id], "the instance uses the security group the program creates");

            const lookup = run.invokes.find((i) => i.token === "confluentcloud:index/getIpAddresses:getIpAddresses");
            if (stack === "prod") return assert.equal(lookup, undefined, "prod does not look up public egress ranges");
            assert.deepEqual(lookup?.inputs.filter, {
                clouds: ["AWS"],
                regions: ["eu-central-1"],
                services: ["CONNECT"],
                addressTypes: ["EGRESS"],
            });
        });
    }

    it("prod: multi-AZ, deletion protection, final snapshot and Pulumi protect on stateful resources", () => {
        const db = runs.prod.one(T.instance);
        assert.equal(db.inputs.multiAz, true);
        assert.equal(db.inputs.deletionProtection, true);
        assert.equal(db.inputs.skipFinalSnapshot, false);
        assert.equal(db.inputs.finalSnapshotIdentifier, "lifesci-prod-mysql-final");
        assert.equal(db.protect, true);
        assert.equal(runs.prod.one(T.kmsKey, "mysql-storage").protect, true);
    });

    it("dev: single-AZ, disposable, nothing protected", () => {
        const db = runs.dev.one(T.instance);
        assert.equal(db.inputs.multiAz, false);
        assert.equal(db.inputs.deletionProtection, false);
        assert.equal(db.inputs.skipFinalSnapshot, true);
        assert.deepEqual(runs.dev.resources.filter((r) => r.protect).map((r) => r.name), []);
    });

    it("uses the default VPC's subnets when none are configured, and the configured ones otherwise", async () => {
        const subnets = runs.dev.one("aws:rds/subnetGroup:SubnetGroup");
        assert.deepEqual(subnets.inputs.subnetIds, DEFAULT_INVOKES["aws:ec2/getSubnets:getSubnets"]({}).ids);
        const custom = await runStack("dev", {
            set: {
                "lifesci-streaming:mysql": {
                    vpcId: "vpc-0feed123",
                    subnetIds: ["subnet-0aaa1111", "subnet-0bbb2222"],
                    operatorCidrs: ["10.40.0.0/16"],
                },
                // The tasks' private subnets, in the same VPC (checked at preview).
                "lifesci-streaming:network": { awsApiAccess: "nat", workloadSubnetIds: ["subnet-0ccc3333"] },
            },
            invokes: { "aws:ec2/getSubnet:getSubnet": (inputs: any) => ({ id: inputs.id, vpcId: "vpc-0feed123", availabilityZone: "eu-central-1a", mapPublicIpOnLaunch: false }) },
        });
        assert.deepEqual(custom.one("aws:rds/subnetGroup:SubnetGroup").inputs.subnetIds, ["subnet-0aaa1111", "subnet-0bbb2222"]);
        assert.deepEqual(custom.one("aws:ecs/service:Service").inputs.networkConfiguration.subnets, ["subnet-0ccc3333"]);
        assert.equal(custom.one(T.securityGroup, "mysql-sg").inputs.vpcId, "vpc-0feed123");
        assert.equal(custom.one(T.securityGroup, "streams-batch-release-sg").inputs.vpcId, "vpc-0feed123", "the Streams tasks run in the same VPC");
        assert.ok(!custom.invokes.some((i) => i.token === "aws:ec2/getVpc:getVpc"));
    });

    it("refuses to deploy when Confluent reports a world-open egress prefix or none at all", async () => {
        const answer = (prefixes: string[]) => ({
            "confluentcloud:index/getIpAddresses:getIpAddresses": () => ({
                id: "x",
                ipAddresses: prefixes.map((ipPrefix) => ({ ipPrefix, addressType: "EGRESS", cloud: "AWS", region: "eu-central-1", services: ["CONNECT"] })),
            }),
        });
        await assert.rejects(runStack("dev", { invokes: answer(["3.64.0.0/28", "0.0.0.0/0"]) }), /refusing to open MySQL to 0\.0\.0\.0\/0 is broader than \/16.*together cover the whole internet/);
        await assert.rejects(runStack("dev", { invokes: answer([]) }), /returned no CONNECT egress addresses/);
    });
});

describe("stacks: SQL bootstrap of the sources", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: bootstraps every catalog database with its DDL after the instance, secrets as secrets`, () => {
            const run = runs[stack];
            const bootstrap = run.one(T.dynamic, "mysql-bootstrap");
            const db = run.one(T.instance);
            assert.equal(bootstrap.inputs.host, db.state.address);
            assert.ok(bootstrap.dependsOn.includes(`${T.instance}::mysql-db`));
            assert.ok(isSecretInput(bootstrap.inputs.adminPassword));
            assert.ok(isSecretInput(bootstrap.inputs.cdcPassword));
            assert.equal(plain(bootstrap.inputs.cdcPassword), plain(run.one(T.password, "mysql-cdc-password").state.result));
            assert.deepEqual(bootstrap.secretOutputs.sort(), ["adminPassword", "cdcPassword", "cdcPasswordSha256"]);
            assert.deepEqual(
                bootstrap.inputs.databases.map((d: any) => d.name),
                DOMAINS.map((d) => d.database),
            );
            for (const d of bootstrap.inputs.databases) {
                const domain = DOMAINS.find((x) => x.database === d.name)!;
                assert.deepEqual(
                    d.migrations.map((m: any) => [m.file, m.sql]),
                    fs.readdirSync(path.join(REPO_ROOT, "sql/mysql", domain.name)).filter((f) => /^V\d+__/.test(f)).sort().map((f) => [`sql/mysql/${domain.name}/${f}`, fs.readFileSync(path.join(REPO_ROOT, "sql/mysql", domain.name, f), "utf8")]),
                    `${domain.name}: every migration file, in order`,
                );
                assert.equal(d.seed, undefined, "no sample rows in cloud sources unless mysql.seedData");
            }
            assert.equal(bootstrap.inputs.cdcUser, "lifesci_cdc");
            assert.equal(bootstrap.inputs.requireTls, true);
            // The bootstrap's admin connection is encrypted (RDS enforces it; the bootstrap must not try without).
            assert.ok(ENCRYPTED_TLS_MODES.includes(bootstrap.inputs.tls), `bootstrap tls=${bootstrap.inputs.tls}`);
            assert.equal(bootstrap.inputs.binlogRetentionHours, stack === "prod" ? 168 : 24);
        });
    }

    it("CDC connectors wait for the bootstrap that creates their user", () => {
        for (const c of runs.dev.ofType(T.connector).filter((c) => c.name.startsWith("cdc-"))) {
            assert.ok(c.dependsOn.includes(`${T.dynamic}::mysql-bootstrap`), c.name);
        }
    });

    it("mysql.bootstrap=false leaves the database alone; mysql.seedData loads sample rows in dev", async () => {
        const off = await runStack("dev", { set: { "lifesci-streaming:mysql": { bootstrap: false, operatorCidrs: [] } } });
        assert.equal(off.ofType(T.dynamic).filter((r) => r.name === "mysql-bootstrap").length, 0);
        assert.ok(off.ofType(T.connector).every((c) => !c.dependsOn.some((d) => d.endsWith("::mysql-bootstrap"))));
        const seeded = await runStack("dev", { set: { "lifesci-streaming:mysql": { seedData: true } } });
        const lims = seeded.one(T.dynamic, "mysql-bootstrap").inputs.databases.find((d: any) => d.name === "lims");
        assert.equal(lims.seed, fs.readFileSync(path.join(REPO_ROOT, "sql/mysql/lims/seed.sql"), "utf8"));
    });
});

describe("stacks: Confluent Cloud", () => {
    it("environment has stream governance: ESSENTIALS in dev, ADVANCED in prod", () => {
        assert.deepEqual(runs.dev.one(T.environment).inputs.streamGovernance, { package: "ESSENTIALS" });
        assert.deepEqual(runs.prod.one(T.environment).inputs.streamGovernance, { package: "ADVANCED" });
    });

    it("dev cluster is standard single-zone; prod is dedicated multi-zone with CKUs, deletion protected", () => {
        const dev = runs.dev.one(T.cluster).inputs;
        assert.deepEqual([dev.availability, dev.standard, dev.dedicated, dev.basic], ["SINGLE_ZONE", {}, undefined, undefined]);
        assert.equal(dev.cloud, "AWS");
        assert.equal(dev.region, "eu-central-1");
        const prod = runs.prod.one(T.cluster);
        assert.deepEqual([prod.inputs.availability, prod.inputs.dedicated, prod.inputs.standard], ["MULTI_ZONE", { cku: 2 }, undefined]);
        assert.equal(prod.inputs.deletionProtection, true);
        assert.equal(prod.protect, true);
    });

    it("Schema Registry is looked up in the environment, not created", () => {
        const lookup = runs.dev.invokes.find((i) => i.token === "confluentcloud:index/getSchemaRegistryCluster:getSchemaRegistryCluster");
        assert.equal(lookup?.inputs.environment.id, runs.dev.one(T.environment).id);
        assert.equal(runs.dev.ofType("confluentcloud:index/schemaRegistryCluster:SchemaRegistryCluster").length, 0);
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every catalog topic exists with partitions and retention from config`, () => {
            const run = runs[stack];
            const partitions = stack === "prod" ? 6 : 3;
            const retentionHours = stack === "prod" ? 168 : 72;
            const auditDays = stack === "prod" ? 365 : 30;
            const byName = new Map(run.ofType(T.topic).map((t) => [t.inputs.topicName, t.inputs]));
            for (const domain of DOMAINS) {
                for (const table of domain.tables) {
                    const topic = byName.get(topicName("lifesci", domain, table.name));
                    assert.ok(topic, `no topic for ${domain.database}.${table.name}`);
                    assert.equal(topic.partitionsCount, partitions);
                    assert.equal(topic.config["retention.ms"], String(retentionHours * HOUR_MS));
                    assert.equal(topic.config["cleanup.policy"], "delete");
                }
                const history = byName.get(schemaHistoryTopic("lifesci", domain))!;
                assert.equal(history.partitionsCount, 1);
                assert.equal(history.config["retention.ms"], "-1");
            }
            const audit = byName.get("lifesci.audit.cdc_changes")!;
            assert.equal(audit.config["retention.ms"], String(auditDays * 24 * HOUR_MS));
            assert.ok(Number(audit.config["retention.ms"]) > retentionHours * HOUR_MS, "audit topics retain longer");
            // One record per batch for good: compacted, no time retention.
            assert.deepEqual(byName.get("lifesci.streams.batch_release_status")!.config, { "cleanup.policy": "compact" });
            assert.equal(byName.get("lifesci.streams.batch_release_overdue")!.config["cleanup.policy"], "delete");
        });
    }

    it("topics are managed with a key owned by an account that may manage the platform's topics only, passed as a secret", () => {
        const key = runs.dev.one(T.apiKey, "streaming-topic-manager-key");
        for (const topic of runs.dev.ofType(T.topic)) {
            const credentials = plain(topic.inputs.credentials);
            assert.equal(credentials.secret, plain(key.state.secret));
            assert.equal(credentials.key, key.id, "the API key's id is the key");
        }
        assert.deepEqual(runs.dev.ofType(T.roleBinding).filter((b) => b.inputs.roleName === "CloudClusterAdmin"), []);
        const manage = runs.dev.ofType(T.roleBinding).filter((b) => b.name.startsWith("streaming-topic-manager-"));
        const cluster = runs.dev.one(T.cluster);
        assert.deepEqual(
            manage.map((b) => [b.inputs.roleName, b.inputs.crnPattern]),
            ["dbhistory.lifesci.*", "lifesci.*"].map((p) => ["DeveloperManage", `${cluster.state.rbacCrn}/kafka=${cluster.id}/topic=${p}`]),
        );
        assert.ok(key.dependsOn.includes(`${T.roleBinding}::${manage[0].name}`), "key waits for its role binding");
    });

    it("prod protects every topic; dev protects none", () => {
        assert.ok(runs.prod.ofType(T.topic).every((t) => t.protect));
        assert.ok(runs.dev.ofType(T.topic).every((t) => !t.protect));
    });
});

describe("stacks: CDC source connectors", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: one MySqlCdcSourceV2 per domain with a documented config and the password in configSensitive`, () => {
            const run = runs[stack];
            const passwordValue = plain(run.one(T.password, "mysql-cdc-password").state.result);
            for (const domain of DOMAINS) {
                const c = run.one(T.connector, `cdc-${domain.name}`);
                const config: Record<string, string> = c.inputs.configNonsensitive;
                const sensitive = plain<Record<string, string>>(c.inputs.configSensitive);
                assert.deepEqual(connectorConfigProblems("MySqlCdcSourceV2", config, sensitive), []);
                assert.equal(sensitive["database.password"], passwordValue);
                assert.ok(!Object.values(config).includes(passwordValue), "password leaked into configNonsensitive");
                assert.equal(config["topic.prefix"], cdcTopicPrefix("lifesci", domain));
                assert.equal(config["table.include.list"], domain.tables.map((t) => `${domain.database}.${t.name}`).join(","));
                assert.equal(config["database.hostname"], run.one(T.instance).state.address);
                assert.equal(config["database.user"], "lifesci_cdc");
                assert.equal(config.name, `lifesci-${stack}-${domain.name}-cdc`);
                assert.equal(c.inputs.environment.id, run.one(T.environment).id);
                assert.equal(c.inputs.kafkaCluster.id, run.one(T.cluster).id);
                // TLS to the source as the stack file says, never off (the builder cannot drop or weaken it).
                assert.equal(config["database.ssl.mode"], stackCdcConfig(stack).sslMode);
                assert.ok((SSL_MODES as readonly string[]).includes(config["database.ssl.mode"]), `database.ssl.mode ${config["database.ssl.mode"]}`);
            }
        });
    }

    it("each connector waits for its topics and its role bindings", () => {
        for (const domain of DOMAINS) {
            const c = runs.dev.one(T.connector, `cdc-${domain.name}`);
            for (const table of domain.tables) {
                const topic = `${T.topic}::streaming-topic-${topicName("lifesci", domain, table.name)}`;
                assert.ok(c.dependsOn.includes(topic), `${c.name} does not wait for ${topic}`);
            }
            const bindings = runs.dev.ofType(T.roleBinding).filter((b) => b.name.startsWith(`cdc-${domain.name}-identity-`));
            assert.ok(bindings.length > 0);
            for (const b of bindings) assert.ok(c.dependsOn.includes(`${T.roleBinding}::${b.name}`));
        }
    });

    it("each connector runs as its own service account, bound only to its domain's topics and subjects", () => {
        const run = runs.dev;
        const accounts = run.ofType(T.serviceAccount);
        assert.equal(accounts.length, DOMAINS.length + SINK_NAMES.length + STREAMS_APPS.length + 5, "one per connector and Streams app plus the topic manager, the metrics viewer, ksqlDB, its deployer and the schema governor");
        for (const domain of DOMAINS) {
            const prefix = cdcTopicPrefix("lifesci", domain);
            const bindings = run.ofType(T.roleBinding).filter((b) => b.name.startsWith(`cdc-${domain.name}-identity-`));
            for (const b of bindings) {
                assert.match(b.inputs.roleName, /^Developer(Read|Write)$/, `${b.name} has role ${b.inputs.roleName}`);
                const resource = String(b.inputs.crnPattern).split("/").pop()!;
                assert.ok(
                    [
                        `topic=${prefix}.*`,
                        `topic=dbhistory.${prefix}`,
                        `group=${prefix}-schemahistory`,
                        `subject=${prefix}.*`,
                        `topic=${heartbeatTopicName("lifesci", domain)}`,
                        `subject=${heartbeatTopicName("lifesci", domain)}-*`,
                    ].includes(resource),
                    `${b.name} is scoped to ${resource}`,
                );
            }
        }
        const wildcard = run.ofType(T.roleBinding).filter((b) => /\/topic=\*$/.test(String(b.inputs.crnPattern)));
        assert.deepEqual(wildcard, []);
    });
});

describe("stacks: outputs", () => {
    it("export what an operator needs", () => {
        const o = runs.dev.outputs;
        for (const k of ["kafkaClusterId", "kafkaBootstrapEndpoint", "schemaRegistryEndpoint", "mysqlEndpoint", "topics", "cdcConnectorIds"]) {
            assert.ok(o[k] !== undefined, `missing output ${k}`);
        }
        assert.deepEqual(o.topics, allTopics("lifesci").map((t) => t.name));
    });

    it("contain no secret in plain text", async () => {
        for (const run of Object.values(runs)) {
            const secrets = [
                ...run.ofType(T.password).map((p) => plain<string>(p.state.result)),
                ...run.ofType(T.apiKey).map((k) => plain<string>(k.state.secret)),
            ];
            const text = JSON.stringify(run.outputs);
            for (const s of secrets) assert.ok(!text.includes(s), `an output contains a secret value`);
            for (const [name, value] of Object.entries(run.rawOutputs)) {
                if (pulumi.Output.isInstance(value)) {
                    assert.equal(await pulumi.isSecret(value as pulumi.Output<unknown>), false, `${name} is unexpectedly secret`);
                }
            }
        }
    });
});
