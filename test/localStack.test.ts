// The local stack: Docker resources under mocks for stack `local`, the cloud->local connector
// mapping checked against the documented key lists, the generated container settings, and
// promtool on the generated Prometheus config.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DOMAINS, KSQL_APPS, WAREHOUSE_TABLES, allTopics, auditArchiveTopics, rawLakeTopics, streamsAppByName, streamsHealthProbeShell, warehouseSchemaKind, warehouseTopic } from "../components/catalog";
import { localStreamsEnvironment, localStreamsMetricsTargets } from "../local/streams";
import { cdcConnectorName, cdcSourceConfig } from "../components/source";
import { s3SinkConfig, snowflakeSinkConfig, WAREHOUSE_SCHEMAS } from "../components/sinks";
import { parsePlatformConfig } from "../components/config";
import { localCdcSourceConfig, localJdbcSinkConfig, localS3SinkConfig, translateCloudConfig } from "../local/connectorMapping";
import { catalogTopicRegex, localBuckets, minioInitScript, mysqlServerFlags, postgresWarehouseDdl, prometheusConfig, topicCreationScript } from "../local/settings";
import { CONNECT_PLUGINS, IMAGES, LOCAL_PORTS, imageReference } from "../local/versions";
import { connectorConfigProblems } from "./support/connectorKeys";
import { REPO_ROOT, StackRun, isSecretInput, plain, readStackConfig, runStack, secretness } from "./support/harness";
import { promtool } from "./support/promtool";

const kafka = { bootstrapServers: "kafka:29092", schemaRegistryUrl: "http://schema-registry:8081" };
const localConfig = () => {
    const { values, secretKeys } = readStackConfig("local");
    return parsePlatformConfig({ project: "lifesci-streaming", stack: "local", values, secretKeys: new Set(secretKeys) });
};
const CONNECTOR = "docker:index/container:Container";

describe("local stack: connector settings mapped from the cloud builders", () => {
    const cfg = localConfig();
    const cdc = (i: number) =>
        localCdcSourceConfig({ namePrefix: "lifesci-local", basePrefix: "lifesci", domain: DOMAINS[i], mysqlHost: "mysql", mysqlPort: 3306, user: "lifesci_cdc", cdc: cfg.cdc, serverId: 5400 + i, kafka });
    const sensitive = (keys: string[]) => Object.fromEntries(keys.map((k) => [k, "secret-value"]));

    it("every Debezium MySQL config is documented, complete, and keeps the cloud topics, include lists and prefixes", () => {
        DOMAINS.forEach((domain, i) => {
            const local = cdc(i);
            assert.deepEqual(connectorConfigProblems("io.debezium.connector.mysql.MySqlConnector", local.config, sensitive(local.sensitiveKeys)), []);
            const cloud = cdcSourceConfig({ connectorName: cdcConnectorName("lifesci-local", domain), domain, basePrefix: "lifesci", hostname: "mysql", port: 3306, user: "lifesci_cdc", serviceAccountId: "sa-1", cdc: cfg.cdc });
            for (const key of ["name", "topic.prefix", "database.include.list", "table.include.list", "schema.history.internal.kafka.topic", "snapshot.mode", "decimal.handling.mode", "time.precision.mode", "tombstones.on.delete", "signal.data.collection"]) {
                assert.equal(local.config[key], cloud[key], `${domain.name} ${key}`);
            }
            // The local container's self-signed certificate: encrypted, deliberately unverified (local only).
            assert.equal(local.config["database.ssl.mode"], "required");
            assert.match(cloud["database.ssl.mode"], /^verify_/);
            assert.equal(local.config["connector.class"], "io.debezium.connector.mysql.MySqlConnector");
            // The bootstrap's signal table: incremental snapshots of added tables work locally too.
            assert.equal(local.config["signal.data.collection"], `${domain.database}.lifesci_cdc_signal`);
            assert.equal(local.config["value.converter"], "io.confluent.connect.avro.AvroConverter");
            assert.ok(!("kafka.service.account.id" in local.config));
            assert.deepEqual(local.sensitiveKeys, ["database.password"]);
        });
        assert.equal(new Set(DOMAINS.map((_, i) => cdc(i).config["database.server.id"])).size, DOMAINS.length, "server ids are unique");
    });

    it("the S3 sinks on MinIO are documented and read the same topics as the cloud S3 sinks", () => {
        const buckets = localBuckets("lifesci-local");
        for (const [sink, topics, bucket, keys] of [
            ["s3-raw", rawLakeTopics("lifesci"), buckets.raw, "avro"],
            ["s3-audit", auditArchiveTopics("lifesci"), buckets.audit, "bytes"],
        ] as const) {
            const local = localS3SinkConfig({ connectorName: `lifesci-local-${sink}`, topics, dlqTopic: `lifesci.dlq.${sink}`, bucket, topicsDir: "cdc", lake: cfg.lake, storeUrl: "http://minio:9000", keys, kafka });
            assert.deepEqual(connectorConfigProblems("io.confluent.connect.s3.S3SinkConnector", local.config, sensitive(local.sensitiveKeys)), []);
            const cloud = s3SinkConfig({ connectorName: `lifesci-local-${sink}`, serviceAccountId: "sa", topics, dlqTopic: `lifesci.dlq.${sink}`, bucket, region: "eu-central-1", topicsDir: "cdc", providerIntegrationId: "cspi", kmsKeyArn: "arn", flushSize: cfg.lake.flushSize, rotateIntervalMs: cfg.lake.rotateIntervalMs, timeInterval: cfg.lake.timeInterval });
            for (const key of ["topics", "errors.tolerance", "errors.deadletterqueue.topic.name", "behavior.on.null.values", "path.format", "flush.size", "topics.dir"]) {
                assert.equal(local.config[key], cloud[key], `${sink} ${key}`);
            }
            assert.equal(local.config["format.class"], "io.confluent.connect.s3.format.parquet.ParquetFormat");
            // MinIO's audit bucket has Object Lock default retention: uploads need Content-MD5.
            assert.equal(local.config["s3.send.digest"], "true", sink);
            assert.equal(local.config["parquet.codec"], "snappy");
            assert.equal(local.config["store.url"], "http://minio:9000");
            assert.equal(local.config["partition.duration.ms"], "3600000");
            assert.deepEqual(local.sensitiveKeys, ["aws.access.key.id", "aws.secret.access.key"]);
        }
    });

    it("the JDBC sinks into Postgres are documented and route every catalog warehouse topic to its table", () => {
        for (const kind of ["cdc", "ksql"] as const) {
            const tables = WAREHOUSE_TABLES.filter((t) => t.source.kind === kind);
            const local = localJdbcSinkConfig({ connectorName: "x", dlqTopic: "lifesci.dlq.x", basePrefix: "lifesci", tables, schema: WAREHOUSE_SCHEMAS[kind], jdbcUrl: "jdbc:postgresql://postgres:5432/warehouse", user: "lifesci", kind, kafka });
            assert.equal(local.config["connector.class"], "io.debezium.connector.jdbc.JdbcSinkConnector");
            assert.deepEqual(connectorConfigProblems("io.debezium.connector.jdbc.JdbcSinkConnector", local.config, sensitive(local.sensitiveKeys)), []);
            const cloud = snowflakeSinkConfig({ connectorName: "x", serviceAccountId: "sa", dlqTopic: "lifesci.dlq.x", tables: tables.map((t) => ({ topic: warehouseTopic("lifesci", t), table: t.name })), accountUrl: "a", user: "u", role: "r", database: "d", schema: WAREHOUSE_SCHEMAS[kind], bufferFlushSeconds: 10, unwrapCdcEnvelope: kind === "cdc" });
            assert.equal(local.config.topics, cloud.topics);
            // Each topic lands in the table the Snowflake topic2table map names.
            const routes = cloud["snowflake.topic2table.map"].split(",").map((pair) => pair.split(":"));
            routes.forEach(([topic, table], i) => {
                assert.ok(new RegExp(local.config[`transforms.route${i}.regex`]).test(topic));
                assert.equal(local.config[`transforms.route${i}.replacement`], table);
            });
            assert.equal(local.config["table.name.format"], `${WAREHOUSE_SCHEMAS[kind]}.\${topic}`);
            if (kind === "cdc") {
                assert.equal(local.config["transforms.unwrap.type"], cloud["transforms.unwrap.type"]);
                assert.match(local.config.transforms, /^unwrap,route0/);
                // Parity with the Snowflake table: one row per key (upsert), a delete stays as the
                // unwrap transform's __deleted=true row (never a hard delete), new columns are added.
                assert.equal(cloud["transforms.unwrap.delete.tombstone.handling.mode"], "rewrite");
                assert.equal(local.config["transforms.unwrap.delete.tombstone.handling.mode"], "rewrite");
                assert.deepEqual([local.config["insert.mode"], local.config["primary.key.mode"], local.config["delete.enabled"]], ["upsert", "record_key", "false"]);
                assert.equal(cloud["snowflake.enable.schematization"], "true");
                assert.equal(local.config["schema.evolution"], "basic");
            } else {
                assert.deepEqual([local.config["insert.mode"], local.config["primary.key.mode"]], ["insert", "none"]);
            }
            // The warehouse DDL's upper-case quoted names ("CDC"."SAP_SALES_ORDERS") are only found quoted.
            assert.equal(local.config["quote.identifiers"], "true");
        }
    });

    it("a cloud key without a local rule is refused, naming the key", () => {
        assert.throws(() => translateCloudConfig({ "snowflake.new.setting": "x" }, {}, "local JDBC sink y"), /local JDBC sink y: cloud key "snowflake.new.setting" has no local mapping/);
    });
});

describe("local stack: generated container settings", () => {
    const cfg = localConfig();

    it("MySQL runs with the binlog flags Debezium needs", () => {
        const flags = mysqlServerFlags(1);
        for (const flag of ["--binlog-format=ROW", "--binlog-row-image=FULL", "--server-id=1", "--gtid-mode=ON", "--enforce-gtid-consistency=ON"]) assert.ok(flags.includes(flag), flag);
    });

    it("every catalog topic is created with its partitions and retention, schema history on one partition kept forever", () => {
        const script = topicCreationScript("lifesci", cfg.topics);
        for (const topic of allTopics("lifesci")) assert.ok(script.includes(`--topic '${topic.name}'`), topic.name);
        assert.match(script, /--topic 'dbhistory\.lifesci\.sap' --partitions 1 --replication-factor 1 --config retention\.ms=-1/);
        assert.match(script, new RegExp(`--topic 'lifesci\\.audit\\.cdc_changes' --partitions 1 .*retention\\.ms=${cfg.topics.auditRetentionDays * 86_400_000}`));
    });

    it("MinIO gets the raw bucket and an object-locked audit bucket with the configured default retention", () => {
        const script = minioInitScript(localBuckets("lifesci-local"), cfg.lake);
        assert.match(script, /mc mb --ignore-existing local\/lifesci-local-lake-raw/);
        assert.match(script, /mc mb --ignore-existing --with-lock local\/lifesci-local-lake-audit/);
        assert.match(script, /mc retention set --default GOVERNANCE 7d local\/lifesci-local-lake-audit/);
        assert.ok(!script.includes("MINIO_ROOT_PASSWORD=") && script.includes('"$MINIO_ROOT_PASSWORD"'), "password from the environment only");
    });

    it("Postgres gets one table per catalog warehouse table, with the catalog primary keys", () => {
        const ddl = postgresWarehouseDdl();
        for (const table of WAREHOUSE_TABLES) assert.ok(ddl.includes(`"${WAREHOUSE_SCHEMAS[warehouseSchemaKind(table)]}"."${table.name}"`), table.name);
        assert.match(ddl, /"CDC"\."SAP_SALES_ORDERS" \([^;]*"order_id" BIGINT NOT NULL[^;]*PRIMARY KEY \("order_id"\)/);
        assert.match(ddl, /"CURATED"\."LAB_RESULTS_OOS" \([^;]*"RESULT_VALUE" NUMERIC\(18,6\)/);
    });

    it("Postgres DDL names the table when a catalog column has no mapping", () => {
        const broken = [{ name: "BROKEN", description: "", source: { kind: "ksql" as const, suffix: "ksql.lab_results_oos", columns: [{ name: "X", type: "MAP<STRING,INT>" }] } }];
        assert.throws(() => postgresWarehouseDdl(broken), /warehouse table BROKEN: type MAP<STRING,INT> has no Postgres mapping/);
    });

    it("the Prometheus config passes promtool check config and keeps exactly the catalog topics", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "prom-local-"));
        fs.writeFileSync(path.join(dir, "prometheus.yml"), prometheusConfig("lifesci", 15, localStreamsMetricsTargets()));
        const result = promtool(["check", "config", "prometheus.yml"], dir);
        assert.equal(result.status, 0, result.output);
        const config = JSON.parse(prometheusConfig("lifesci", 15, localStreamsMetricsTargets()));
        assert.deepEqual(config.scrape_configs.map((j: any) => j.job_name), ["kafka-exporter", "kafka-connect", "kafka-streams", "prometheus"]);
        // The Streams apps' GET /metrics, on the container's name and the port its HEALTH_PORT says.
        const streams = config.scrape_configs.find((j: any) => j.job_name === "kafka-streams");
        assert.equal(streams.metrics_path, "/metrics");
        assert.deepEqual(streams.static_configs, [{ targets: ["batch-release:8080"] }]);
        const keep = new RegExp(`^(?:${config.scrape_configs[0].metric_relabel_configs[0].regex})$`);
        for (const t of allTopics("lifesci")) assert.ok(keep.test(t.name), t.name);
        assert.ok(keep.test(""), "series without a topic label are kept");
        assert.ok(!keep.test("__consumer_offsets") && !keep.test("lifesci.sap.sap_orders.sales_orders_x"));
        assert.ok(catalogTopicRegex("lifesci").includes("lifesci\\.audit\\.cdc_changes"));
    });

    it("the Connect Dockerfile's default plugin versions are the pinned ones in local/versions.ts", () => {
        const dockerfile = fs.readFileSync(path.join(REPO_ROOT, "local", "images", "connect", "Dockerfile"), "utf8");
        for (const [arg, version] of Object.entries(CONNECT_PLUGINS)) assert.match(dockerfile, new RegExp(`ARG ${arg}=${version.replace(/\./g, "\\.")}\\n`), arg);
        assert.match(dockerfile, new RegExp(`ARG CONNECT_BASE_IMAGE=${IMAGES.connectBase}\\n`));
        for (const image of Object.values(IMAGES)) assert.ok(!/:latest$/.test(image) && image.includes(":"), `${image} is pinned`);
    });
});

describe("stacks: local under mocks", () => {
    let run: StackRun;
    before(async () => {
        run = await runStack("local");
    });
    const containers = () => run.ofType(CONNECTOR);
    const container = (name: string) => run.one(CONNECTOR, `local-${name}`);
    const envOf = (name: string) => Object.fromEntries((container(name).inputs.envs ?? []).map((e: string) => [e.split("=")[0], e.slice(e.indexOf("=") + 1)]));

    it("registers no AWS, Confluent or Snowflake resource, and no invoke of theirs", () => {
        const cloud = run.resources.filter((r) => r.custom && /^(aws|confluentcloud|snowflake):/.test(r.type));
        assert.deepEqual(cloud.map((r) => r.type), []);
        assert.deepEqual(run.invokes.map((i) => i.token), []);
    });

    it("one network, named volumes, pinned images and the Connect image built from local/images/connect", () => {
        assert.equal(run.ofType("docker:index/network:Network").length, 1);
        assert.deepEqual(run.ofType("docker:index/volume:Volume").map((v) => v.inputs.name).sort(), ["batch-release", "grafana", "kafka", "minio", "mysql", "postgres", "prometheus"].map((v) => `lifesci-local-${v}-data`));
        const images = run.ofType("docker:index/remoteImage:RemoteImage").map((i) => i.inputs.name);
        // Pulled by digest where the tag can move (issue 22, item 14).
        assert.deepEqual(images.sort(), (Object.keys(IMAGES) as (keyof typeof IMAGES)[]).filter((k) => k !== "connectBase").map(imageReference).sort());
        assert.ok(images.some((i) => /^mysql:8\.0\.40@sha256:[0-9a-f]{64}$/.test(i)), images.join(", "));
        const built = run.one("docker:index/image:Image", "local-connect-image");
        assert.equal(built.inputs.build.context, path.join(REPO_ROOT, "local", "images", "connect"));
        assert.equal(built.inputs.skipPush, true);
        assert.deepEqual(built.inputs.build.args, { CONNECT_BASE_IMAGE: IMAGES.connectBase, ...CONNECT_PLUGINS });
        assert.equal(container("connect").inputs.image, built.inputs.imageName);
    });

    it("every long-running container has a health check and wait, publishes on 127.0.0.1 only, and the one-shot jobs run to completion", () => {
        const services = containers().filter((c) => !c.name.endsWith("-init"));
        assert.equal(services.length, 11);
        for (const c of services) {
            assert.equal(c.inputs.wait, true, c.name);
            assert.ok(c.inputs.healthcheck?.tests?.length === 2 && c.inputs.healthcheck.tests[0] === "CMD-SHELL", c.name);
            // A credential on a health check's command line shows in `ps` and `docker inspect`.
            const probe = String(c.inputs.healthcheck.tests[1]);
            assert.ok(!/(^|\s)(-p\S|-p\s|--password)|PASSWORD|SECRET|TOKEN/i.test(probe), `${c.name}: health check carries a credential on its command line: ${probe}`);
            for (const p of c.inputs.ports ?? []) assert.equal(p.ip, "127.0.0.1", `${c.name} port ${p.internal}`);
        }
        const published = services.flatMap((c) => (c.inputs.ports ?? []).map((p: any) => p.external)).sort();
        assert.deepEqual(published, Object.values(LOCAL_PORTS).sort());
        for (const job of ["topics-init", "minio-init"]) {
            assert.equal(container(job).inputs.attach, true);
            assert.equal(container(job).inputs.mustRun, false);
        }
    });

    it("the batch release app runs from its own Dockerfile with the catalog's environment, healthy before the stack is up", () => {
        const image = run.one("docker:index/image:Image", "local-batch-release-image");
        assert.equal(image.inputs.build.context, path.join(REPO_ROOT, "streams", "batch-release"));
        assert.equal(image.inputs.build.dockerfile, path.join(REPO_ROOT, "streams", "batch-release", "Dockerfile"));
        const app = container("batchRelease");
        assert.equal(app.inputs.image, image.inputs.imageName);
        const env = envOf("batchRelease");
        const cfg = localConfig();
        assert.deepEqual(env, localStreamsEnvironment(streamsAppByName("batch_release"), "lifesci", kafka, cfg.streams));
        // The local CDC topics are Avro (the local source's converter), read through the local Schema Registry.
        assert.deepEqual([env.VALUE_FORMAT, env.KAFKA_SECURITY_PROTOCOL, env.SCHEMA_REGISTRY_URL], ["avro", "PLAINTEXT", "http://schema-registry:8081"]);
        assert.equal(app.inputs.healthcheck.tests[1], streamsHealthProbeShell(8080));
        // The local Prometheus scrapes its GET /metrics (batches by release status) at its network alias and HEALTH_PORT.
        const promConfig = JSON.parse(container("prometheus").inputs.uploads.find((u: any) => u.file === "/etc/prometheus/prometheus.yml").content);
        const streamsJob = promConfig.scrape_configs.find((j: any) => j.job_name === "kafka-streams");
        assert.deepEqual(streamsJob.static_configs[0].targets, [`${app.inputs.networksAdvanced[0].aliases[0]}:${env.HEALTH_PORT}`]);
        assert.equal(app.inputs.wait, true);
        assert.ok(app.dependsOn.includes(`${CONNECTOR}::local-topics-init`), "its topics exist first");
    });

    it("MySQL runs with the binlog flags and Kafka in KRaft mode without ZooKeeper", () => {
        assert.deepEqual(container("mysql").inputs.command, mysqlServerFlags(1));
        const env = envOf("kafka");
        assert.equal(env.KAFKA_PROCESS_ROLES, "broker,controller");
        assert.ok(!Object.keys(env).some((k) => k.includes("ZOOKEEPER")));
    });

    it("generated passwords are random secrets: container env, bootstrap and connector inputs stay secret", async () => {
        assert.equal(run.ofType("random:index/randomPassword:RandomPassword").length, 5);
        // An env list holding a password is secret as a whole; lists without one stay plain.
        for (const name of ["mysql", "minio", "minio-init", "postgres", "grafana"]) assert.ok(isSecretInput(container(name).inputs.envs), `${name} envs are secret`);
        assert.ok(!isSecretInput(container("kafka").inputs.envs));
        const bootstrap = run.one("pulumi-nodejs:dynamic:Resource", "local-mysql-bootstrap");
        assert.ok(isSecretInput(bootstrap.inputs.adminPassword) && isSecretInput(bootstrap.inputs.cdcPassword));
        const connectors = run.resources.filter((r) => r.name.startsWith("local-connector-"));
        for (const c of connectors) {
            assert.ok(isSecretInput(c.inputs.configSensitive), c.name);
            const visible = JSON.stringify(c.inputs.config);
            assert.ok(!/mock-generated-password/.test(visible), `${c.name} config carries no password`);
        }
        // The one output that carries the passwords (for local:verify) is a secret; no other does.
        const { localCredentials, ...others } = run.outputs;
        assert.ok(!/mock-generated-password/.test(JSON.stringify(others)));
        assert.ok(/mock-generated-password/.test(JSON.stringify(localCredentials)));
        assert.equal(await secretness(run.rawOutputs.localCredentials), true);
    });

    it("the SQL bootstrap targets the container's loopback port with the catalog databases", () => {
        const bootstrap = run.one("pulumi-nodejs:dynamic:Resource", "local-mysql-bootstrap");
        assert.equal(bootstrap.inputs.host, "127.0.0.1");
        assert.equal(bootstrap.inputs.port, LOCAL_PORTS.mysql);
        assert.deepEqual(bootstrap.inputs.databases.map((d: any) => d.name), DOMAINS.map((d) => d.database));
        assert.ok(bootstrap.dependsOn.includes(`${CONNECTOR}::local-mysql`));
    });

    it("one Debezium connector per domain and the four sinks, each with a documented config, after Connect and the topics", () => {
        const connectors = run.resources.filter((r) => r.name.startsWith("local-connector-"));
        assert.deepEqual(connectors.map((c) => c.name).sort(), [...DOMAINS.map((d) => `local-connector-cdc-${d.name}`), ...["s3-audit", "s3-raw", "snowflake-cdc", "snowflake-curated"].map((s) => `local-connector-sink-${s}`)].sort());
        for (const c of connectors) {
            const config = plain(c.inputs.config);
            const sensitive = plain<Record<string, string>>(c.inputs.configSensitive);
            assert.deepEqual(connectorConfigProblems(config["connector.class"], config, sensitive), [], c.name);
            assert.equal(c.inputs.endpoint, `http://127.0.0.1:${LOCAL_PORTS.connect}`);
            assert.ok(c.dependsOn.includes(`${CONNECTOR}::local-connect`) && c.dependsOn.includes(`${CONNECTOR}::local-topics-init`), c.name);
        }
        const sap = plain(run.one("pulumi-nodejs:dynamic:Resource", "local-connector-cdc-sap").inputs.config);
        assert.equal(sap["topic.prefix"], "lifesci.sap");
        assert.equal(sap["table.include.list"], "sap_orders.sales_orders,sap_orders.order_items,sap_orders.materials");
        // Tables added later are backfilled locally too: one signal writer per domain, after its connector.
        for (const d of DOMAINS) {
            const signal = run.one("pulumi-nodejs:dynamic:Resource", `local-cdc-${d.name}-snapshot-signal`);
            assert.deepEqual([signal.inputs.database, plain(signal.inputs.tables)], [d.database, d.tables.map((t) => t.name)]);
            assert.ok(signal.dependsOn.includes(`pulumi-nodejs:dynamic:Resource::local-connector-cdc-${d.name}`), d.name);
        }
    });

    it("the four ksqlDB apps go to the local server through the same provider, after the CDC connectors", () => {
        const apps = run.resources.filter((r) => r.name.startsWith("local-ksql-"));
        assert.deepEqual(apps.map((a) => a.inputs.app).sort(), KSQL_APPS.map((a) => a.name).sort());
        for (const app of apps) {
            assert.equal(app.inputs.endpoint, `http://127.0.0.1:${LOCAL_PORTS.ksqldb}`);
            assert.equal(app.inputs.credentials, undefined);
            for (const d of DOMAINS) assert.ok(app.dependsOn.includes(`pulumi-nodejs:dynamic:Resource::local-connector-cdc-${d.name}`));
        }
    });

    it("Grafana is provisioned by the shared Monitoring component with the local metrics source", () => {
        const provider = run.one("pulumi:providers:grafana");
        assert.equal(provider.inputs.url, `http://127.0.0.1:${LOCAL_PORTS.grafana}`);
        // (The Grafana SDK marks `auth` secret itself; the program decides that the password is generated.)
        assert.match(plain(provider.inputs.auth), /^admin:mock-generated-password-/);
        assert.equal(run.one("grafana:oss/dataSource:DataSource").inputs.url, "http://prometheus:9090");
        assert.ok(run.ofType("grafana:oss/dashboard:Dashboard").length >= 3);
        const rules = JSON.stringify(run.ofType("grafana:alerting/ruleGroup:RuleGroup").map((g) => g.inputs.rules));
        assert.ok(rules.includes("kafka_connect_connector_status") && rules.includes("ConnectorNotRunning lifesci-local-sap-cdc"));
        assert.ok(!/confluent_kafka_server/.test(rules), "no Confluent Cloud metric names locally");
    });
});
