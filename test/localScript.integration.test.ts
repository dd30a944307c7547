// `npm run local`: the prerequisite check and the path verification with injected fakes (no
// Docker here), and the verification's MySQL side against the real MariaDB of the test harness.
import { strict as assert } from "assert";
import { WAREHOUSE_TABLES } from "../components/catalog";
import { connectMySql } from "../components/source";
import { PrerequisiteProbe, checkPrerequisites, formatPrerequisites, parseDockerPorts } from "../local/prerequisites";
import { Hop, PathProbes, VerificationRows, formatVerification, insertVerificationRows, runVerification, verificationHops, verificationMarker } from "../local/verify";
import { LOCAL_PORTS, localUrls } from "../local/versions";
import { adminEndpoint, bootstrappedSources } from "./support/sources";

function fakeProbe(overrides: Partial<PrerequisiteProbe> & { busy?: number[]; held?: number[] } = {}): PrerequisiteProbe & { installs: string[] } {
    const installs: string[] = [];
    return {
        installs,
        dockerServerVersion: async () => ({ version: "27.3.1" }),
        portFree: async (port) => !(overrides.busy ?? []).includes(port),
        portsHeldByStack: async () => new Set(overrides.held ?? []),
        pulumiVersion: async () => "3.248.0",
        installPulumi: async (version) => {
            installs.push(version);
            return version;
        },
        ...overrides,
    };
}
const OPTIONS = { ports: LOCAL_PORTS, pulumiVersion: "3.248.0", pulumiInstallDir: "/repo/.pulumi/cli" };

describe("npm run local: prerequisite check", () => {
    it("passes with Docker, free ports and a CLI, and says what it found", async () => {
        const report = await checkPrerequisites(fakeProbe(), OPTIONS);
        assert.deepEqual(report.problems, []);
        assert.equal(formatPrerequisites(report), "Prerequisites OK (Docker 27.3.1, Pulumi CLI 3.248.0)");
    });

    it("an unreachable Docker daemon is reported with how to start it", async () => {
        const report = await checkPrerequisites(fakeProbe({ dockerServerVersion: async () => ({ error: "unix:///var/run/docker.sock: connect ENOENT" }) }), OPTIONS);
        assert.equal(report.problems.length, 1);
        assert.match(formatPrerequisites(report), /Docker daemon not reachable: unix:\/\/\/var\/run\/docker\.sock: connect ENOENT\n {4}fix: start Docker Desktop/);
    });

    it("a port held by another program is reported with the service and how to free it; ports of this stack's own containers are fine", async () => {
        const report = await checkPrerequisites(fakeProbe({ busy: [LOCAL_PORTS.grafana, LOCAL_PORTS.mysql], held: [LOCAL_PORTS.mysql] }), OPTIONS);
        assert.deepEqual(report.problems.map((p) => p.what), [`port ${LOCAL_PORTS.grafana} on 127.0.0.1 (grafana) is in use by another program`]);
        assert.match(report.problems[0].fix, /lsof -iTCP:3000 -sTCP:LISTEN.*LOCAL_PORTS\.grafana/);
    });

    it("a missing Pulumi CLI is installed, pinned, into the project folder", async () => {
        const probe = fakeProbe({ pulumiVersion: async () => undefined });
        const report = await checkPrerequisites(probe, OPTIONS);
        assert.deepEqual(probe.installs, ["3.248.0"]);
        assert.deepEqual(report.problems, []);
        assert.ok(report.notes.includes("Pulumi CLI 3.248.0 installed into /repo/.pulumi/cli"));
    });

    it("a failed install says what failed and how to install by hand; every problem is listed at once", async () => {
        const probe = fakeProbe({
            pulumiVersion: async () => undefined,
            installPulumi: async () => {
                throw new Error("getaddrinfo ENOTFOUND get.pulumi.com\n    at stack");
            },
            busy: [LOCAL_PORTS.kafka],
        });
        const text = formatPrerequisites(await checkPrerequisites(probe, OPTIONS));
        assert.match(text, /^Missing prerequisites \(2\):/);
        assert.match(text, /Pulumi CLI not found, and installing 3\.248\.0 into \/repo\/\.pulumi\/cli failed: getaddrinfo ENOTFOUND get\.pulumi\.com\n {4}fix: .*pulumi\.com\/docs\/install/);
        assert.ok(!text.includes("at stack"));
    });

    it("reads the host ports out of `docker ps` output", () => {
        assert.deepEqual([...parseDockerPorts("127.0.0.1:3307->3306/tcp\n127.0.0.1:9000->9000/tcp, 127.0.0.1:9001->9001/tcp\n")], [3307, 9000, 9001]);
    });
});

const ROWS: VerificationRows = { marker: "VMARKER01", orderId: 7, resultId: 42, eventId: 9, alarmMessage: "verification alarm VMARKER01", insertedAt: new Date(0) };

/** Probes that start answering "yes" for a hop after its listed number of polls (never if absent). */
function scriptedProbes(passAfter: Record<string, number>, failWith?: string): PathProbes & { calls: string[] } {
    const polls = new Map<string, number>();
    const calls: string[] = [];
    const answer = async (key: string) => {
        calls.push(key);
        if (failWith && key.startsWith(failWith)) throw new Error(`connect ECONNREFUSED 127.0.0.1:5433\n  at x`);
        const n = (polls.get(key) ?? 0) + 1;
        polls.set(key, n);
        return passAfter[key] !== undefined && n >= passAfter[key];
    };
    return {
        calls,
        topicContains: (topic, needle) => answer(`topic ${topic} ${needle}`),
        ksqlRowExists: (stream, column, value) => answer(`ksql ${stream} ${column}=${value}`),
        objectWrittenSince: (bucket, prefix) => answer(`minio ${bucket}/${prefix}`),
        warehouseRowExists: (schema, table, column, value) => answer(`pg ${schema}.${table} ${column}=${value}`),
    };
}

/** A clock that advances only when the verification sleeps. */
function fakeClock() {
    let t = 1_000_000;
    return { now: () => t, sleep: async (ms: number) => void (t += ms), start: t };
}

describe("npm run local: path verification", () => {
    const hops = verificationHops("lifesci", ROWS, { raw: "lifesci-local-lake-raw" });

    it("checks every stage, named after the catalog's topics, ksqlDB outputs, bucket and warehouse tables", async () => {
        assert.deepEqual([...new Set(hops.map((h) => h.stage))], ["kafka", "ksqldb", "minio", "postgres"]);
        const probes = scriptedProbes({});
        await Promise.all(hops.map((h) => h.check(probes)));
        assert.deepEqual(probes.calls, [
            "topic lifesci.sap.sap_orders.sales_orders VMARKER01",
            "topic lifesci.lims.lims.test_results VMARKER01",
            "topic lifesci.mes.mes.machine_events verification alarm VMARKER01",
            "topic lifesci.audit.cdc_changes VMARKER01",
            "ksql LAB_RESULTS_OOS RESULT_ID=42",
            "ksql MACHINE_ALARMS EVENT_ID=9",
            "minio lifesci-local-lake-raw/cdc/lifesci.sap.sap_orders.sales_orders/",
            "pg CDC.SAP_SALES_ORDERS order_number=VMARKER01",
            "pg CURATED.LAB_RESULTS_OOS RESULT_ID=42",
            "pg CURATED.MACHINE_ALARMS EVENT_ID=9",
        ]);
        for (const name of ["SAP_SALES_ORDERS", "LAB_RESULTS_OOS", "MACHINE_ALARMS"]) assert.ok(WAREHOUSE_TABLES.some((t) => t.name === name));
    });

    it("waits for each hop and reports its latency from the insert", async () => {
        const clock = fakeClock();
        const passAfter = Object.fromEntries(scriptedProbesKeys(hops).map((k, i) => [k, 1 + (i % 3)]));
        const results = await runVerification(hops, scriptedProbes(passAfter), clock.start, { timeoutMs: 60_000, pollMs: 2_000, ...clock });
        assert.ok(results.every((r) => r.passed));
        assert.deepEqual(results.map((r) => r.latencyMs), scriptedProbesKeys(hops).map((_, i) => (i % 3) * 2_000));
    });

    it("stops at the bound, failing the hops not seen, with the last probe error", async () => {
        const clock = fakeClock();
        const keys = scriptedProbesKeys(hops);
        const passAfter = Object.fromEntries(keys.filter((k) => !k.startsWith("minio") && !k.startsWith("pg")).map((k) => [k, 1]));
        const results = await runVerification(hops, scriptedProbes(passAfter, "pg"), clock.start, { timeoutMs: 10_000, pollMs: 3_000, ...clock });
        assert.equal(clock.now() - clock.start, 10_000, "gave up exactly at the bound");
        assert.deepEqual(results.filter((r) => !r.passed).map((r) => r.hop.stage), ["minio", "postgres", "postgres", "postgres"]);
        const report = formatVerification(results, localUrls(), 10_000);
        assert.match(report, /^Verification: 6\/10 hops passed/);
        assert.match(report, /PASS {2}kafka {4}order VMARKER01 in lifesci\.sap\.sap_orders\.sales_orders {2}0\.0 s/);
        assert.match(report, /FAIL {2}postgres order VMARKER01 in CDC\.SAP_SALES_ORDERS {2}not seen within 10 s \(last error: connect ECONNREFUSED 127\.0\.0\.1:5433\)/);
        assert.match(report, /FAIL {2}minio .* not seen within 10 s$/m);
        assert.match(report, /URLs:\n {2}grafana {9}http:\/\/127\.0\.0\.1:3000/);
        assert.match(report, /ksqldb +http:\/\/127\.0\.0\.1:8088/);
        assert.match(report, /minioConsole +http:\/\/127\.0\.0\.1:9001/);
    });

    it("markers are unique per run and fit sales_orders.order_number (VARCHAR(10))", () => {
        const a = verificationMarker(1_790_000_000_000);
        const b = verificationMarker(1_790_000_000_001);
        assert.notEqual(a, b);
        assert.ok(a.length <= 10 && /^V[0-9A-Z]+$/.test(a), a);
    });
});

function scriptedProbesKeys(hops: Hop[]): string[] {
    const probes = scriptedProbes({});
    hops.forEach((h) => void h.check(probes));
    return probes.calls;
}

describe("npm run local: verification rows (real MariaDB)", function () {
    this.timeout(120_000);

    it("inserts an order, an out-of-spec lab result and a machine alarm that the captured tables hold", async () => {
        const server = await bootstrappedSources();
        const conn = await connectMySql(adminEndpoint(server));
        try {
            const marker = verificationMarker();
            const rows = await insertVerificationRows(conn, marker);
            const [orders] = await conn.query<any[]>("SELECT order_number, status FROM sap_orders.sales_orders WHERE order_id = ?", [rows.orderId]);
            assert.deepEqual(orders.map((o) => ({ ...o })), [{ order_number: marker, status: "CREATED" }]);
            // Out of spec against the spec limit it references: the lab validation app's condition.
            const [results] = await conn.query<any[]>(
                "SELECT r.result_value > l.upper_limit OR r.result_value < l.lower_limit AS oos, r.analyst FROM lims.test_results r JOIN lims.spec_limits l ON l.spec_id = r.spec_id WHERE r.result_id = ?",
                [rows.resultId],
            );
            assert.equal(Number(results[0].oos), 1);
            assert.equal(results[0].analyst, marker);
            const [events] = await conn.query<any[]>("SELECT severity, message FROM mes.machine_events WHERE event_id = ?", [rows.eventId]);
            assert.deepEqual({ ...events[0] }, { severity: "ALARM", message: rows.alarmMessage });
            // A second run gets new rows (the verification can be repeated with local:verify).
            const again = await insertVerificationRows(conn, verificationMarker(Date.now() + 1));
            assert.ok(again.orderId > rows.orderId && again.resultId > rows.resultId && again.eventId > rows.eventId);
        } finally {
            await conn.end();
        }
    });
});
