// Issue 22, item 4: a MySQL delete reaches the warehouse as the README says, a row with
// `__DELETED` = true, through the CDC Snowflake sink's unwrap transform. The transform is
// Debezium's own ExtractNewRecordState (from Maven Central) run by test/java/unwrap/UnwrapProbe.java
// with exactly the `transforms.unwrap.*` keys the sink builder sends, at the Debezium version the
// local Connect image runs and at 3.2, where the deprecated `delete.handling.mode`/`drop.tombstones`
// stopped working (a delete then became a tombstone, which the sink ignores: the row never left).
import { strict as assert } from "assert";
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DOMAINS, WAREHOUSE_TABLES, warehouseTopic } from "../components/catalog";
import { WAREHOUSE_SCHEMAS, snowflakeSinkConfig, warehouseTableColumns } from "../components/sinks";
import { localJdbcSinkConfig } from "../local/connectorMapping";
import { CONNECT_PLUGINS } from "../local/versions";

const PROBE_DIR = path.join(__dirname, "java", "unwrap");

/** Debezium releases and the Kafka version each was built against (debezium-parent's version.kafka). */
const SMT_VERSIONS = [
    { debezium: CONNECT_PLUGINS.DEBEZIUM_MYSQL_VERSION, kafka: "3.7.0", why: "the local Connect image" },
    { debezium: "3.2.7.Final", kafka: "3.9.1", why: "3.2, where the deprecated keys stopped working" },
];

function requireTool(cmd: string, hint: string): void {
    try {
        execFileSync(cmd, ["-version"], { stdio: "ignore" });
    } catch {
        throw new Error(`${cmd} is not installed: ${hint}`);
    }
}

/**
 * Resolved classpaths, keyed by the pom and the versions: Maven's start-up costs ~4 s CPU per
 * version, and its answer only changes with them. A cached classpath is used only while every jar
 * on it is still there (in ~/.m2); otherwise Maven resolves it again.
 */
const CLASSPATH_CACHE = path.join(os.tmpdir(), "lifesci-unwrap-classpath");

/** The probe's classpath for one Debezium version, resolved by Maven (jars cached in ~/.m2, the classpath in CLASSPATH_CACHE). */
function classpath(debezium: string, kafka: string): string {
    const key = createHash("sha256").update(fs.readFileSync(path.join(PROBE_DIR, "pom.xml"))).update(`\0${debezium}\0${kafka}`).digest("hex").slice(0, 16);
    const cached = path.join(CLASSPATH_CACHE, `${key}.txt`);
    if (fs.existsSync(cached)) {
        const cp = fs.readFileSync(cached, "utf8").trim();
        if (cp && cp.split(path.delimiter).every((jar) => fs.existsSync(jar))) return cp;
    }
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "unwrap-cp-")), "cp.txt");
    try {
        execFileSync("mvn", ["-B", "-q", "-f", path.join(PROBE_DIR, "pom.xml"), "dependency:build-classpath", `-Ddebezium.version=${debezium}`, `-Dkafka.version=${kafka}`, `-Dmdep.outputFile=${out}`], {
            stdio: "pipe",
            timeout: 240_000,
        });
    } catch (err: any) {
        throw new Error(`Maven could not resolve Debezium ${debezium} from Maven Central: ${String(err.stdout ?? "")}${String(err.stderr ?? "")}`);
    }
    const cp = fs.readFileSync(out, "utf8").trim();
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    fs.mkdirSync(CLASSPATH_CACHE, { recursive: true });
    fs.writeFileSync(cached, cp);
    return cp;
}

/** What the SMT makes of an update, a delete and the delete's tombstone: input -> output line. */
function unwrap(cp: string, config: Record<string, string>): Record<string, string> {
    const args = Object.entries(config)
        .filter(([k]) => k.startsWith("transforms.unwrap.") && k !== "transforms.unwrap.type")
        .map(([k, v]) => `${k.slice("transforms.unwrap.".length)}=${v}`);
    // A short-lived JVM: C1 only and the serial collector halve its start-up CPU (same results).
    const out = execFileSync("java", ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", cp, path.join(PROBE_DIR, "UnwrapProbe.java"), ...args], { encoding: "utf8", timeout: 60_000 });
    return Object.fromEntries(
        out
            .trim()
            .split("\n")
            .map((line) => {
                const [input, ...rest] = line.split(" ");
                return [input, rest.join(" ")];
            }),
    );
}

const cdcTables = WAREHOUSE_TABLES.filter((t) => t.source.kind === "cdc");
const cloudCdcSink = () =>
    snowflakeSinkConfig({
        connectorName: "lifesci-dev-sink-snowflake-cdc",
        serviceAccountId: "sa-1",
        dlqTopic: "lifesci.dlq.snowflake-cdc",
        tables: cdcTables.map((t) => ({ topic: warehouseTopic("lifesci", t), table: t.name })),
        accountUrl: "org-acct.snowflakecomputing.com:443",
        user: "U",
        role: "R",
        database: "D",
        schema: WAREHOUSE_SCHEMAS.cdc,
        bufferFlushSeconds: 10,
        unwrapCdcEnvelope: true,
    });

describe("deletes reach the warehouse as __DELETED rows (Debezium's ExtractNewRecordState, real)", function () {
    this.timeout(600_000);
    const classpaths: Record<string, string> = {};
    before(() => {
        requireTool("java", "install OpenJDK 17 (apt-get install openjdk-17-jdk-headless)");
        requireTool("mvn", "install Maven (apt-get install maven)");
        for (const v of SMT_VERSIONS) classpaths[v.debezium] = classpath(v.debezium, v.kafka);
    });

    for (const v of SMT_VERSIONS) {
        it(`cloud Snowflake CDC sink, Debezium ${v.debezium} (${v.why}): a delete lands as the row with __deleted=true, its tombstone is dropped`, () => {
            const out = unwrap(classpaths[v.debezium], cloudCdcSink());
            assert.deepEqual(out, {
                update: "value order_id=42,status=SHIPPED,__deleted=false",
                delete: "value order_id=42,status=SHIPPED,__deleted=true",
                tombstone: "dropped",
            });
        });

        it(`local JDBC sink, Debezium ${v.debezium}: the same unwrap keys as the cloud sink (mapped from its builder), so the same rows`, () => {
            const local = localJdbcSinkConfig({
                connectorName: "lifesci-local-sink-snowflake-cdc",
                dlqTopic: "lifesci.dlq.snowflake-cdc",
                basePrefix: "lifesci",
                tables: cdcTables,
                schema: WAREHOUSE_SCHEMAS.cdc,
                jdbcUrl: "jdbc:postgresql://postgres:5432/warehouse",
                user: "warehouse",
                kind: "cdc",
                kafka: { bootstrapServers: "kafka:29092", schemaRegistryUrl: "http://schema-registry:8081" },
            });
            const unwrapKeys = (c: Record<string, string>) => Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith("transforms.unwrap.")));
            assert.deepEqual(unwrapKeys(local.config), unwrapKeys(cloudCdcSink()));
            assert.equal(local.config["transforms.unwrap.delete.tombstone.handling.mode"], "rewrite");
        });
    }

    it("every CDC warehouse table has the __DELETED column the marker lands in (schematization upper-cases field names)", () => {
        assert.ok(DOMAINS.length > 0 && cdcTables.length > 0);
        for (const t of cdcTables) {
            assert.ok(warehouseTableColumns(t).some((c) => c.name === "__DELETED"), t.name);
        }
    });
});
