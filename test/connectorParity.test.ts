// Local/cloud parity of the CDC connector (issue 15, finding 5): the local Debezium MySQL config
// (local/connectorMapping.ts) and the cloud MySqlCdcSourceV2 config (components/connectors.ts) are
// compared key by key, on their effective values: what each config sets, or else the connector's
// documented default (test/fixtures/connector-keys.json). The two connectors document different
// defaults for some keys (include.schema.changes: false vs true; the heartbeat prefix), so equal
// configs are not enough. Every difference must be on the short list below, with its reason.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DOMAINS } from "../components/catalog";
import { CdcConfig } from "../components/config";
import { cdcConnectorName, cdcSourceConfig } from "../components/source";
import { localCdcSourceConfig } from "../local/connectorMapping";

const MANAGED = "MySqlCdcSourceV2";
const DEBEZIUM = "io.debezium.connector.mysql.MySqlConnector";
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "connector-keys.json"), "utf8"));

/** The intended differences, each with why. Anything else that differs is a parity bug. */
const INTENDED_DIFFERENCES: Record<string, string> = {
    "connector.class": "managed plugin name vs Debezium class",
    "kafka.auth.mode": "managed only: Confluent Cloud service-account auth; the local worker has its own Kafka client",
    "kafka.service.account.id": "managed only: the Confluent service account",
    "output.data.format": "managed only: locally the AvroConverter (value.converter) does the same",
    "output.key.format": "managed only: locally the AvroConverter (key.converter) does the same",
    "after.state.only": "managed only: Debezium always emits before and after images (= false)",
    "database.server.id": "self-managed only: the managed connector picks its own replica server id",
    "schema.history.internal.kafka.bootstrap.servers": "self-managed only: the managed connector uses its cluster",
    "key.converter": "self-managed only (see output.key.format)",
    "key.converter.schema.registry.url": "self-managed only: the local Schema Registry",
    "value.converter": "self-managed only (see output.data.format)",
    "value.converter.schema.registry.url": "self-managed only: the local Schema Registry",
    "database.hostname": "each target's MySQL host",
    "database.port": "each target's MySQL port",
    "database.ssl.mode": "cloud verifies the RDS certificate (verify_ca/verify_identity); the local container's certificate is self-signed at first start, so local encrypts without verifying (required)",
    "streaming.delay.ms":
        "managed default 60000 (streaming starts a minute after the snapshot), Debezium 0: the local check sees rows at once; no effect on the data",
    "topic.transaction": "only used with provide.transaction.metadata=true, which neither sets",
    "signal.kafka.topic": "only used with the kafka signal channel, which neither enables",
};

type Spec = { keys: Record<string, { default?: string | null }> };

/** A value as set, or the documented default; placeholders and "unknown" stay undefined. */
function effective(spec: Spec, config: Record<string, string>, key: string): string | undefined {
    if (key in config) return config[key];
    const documented = spec.keys[key]?.default;
    if (documented === undefined || documented === null || documented === "") return undefined;
    if (/<[^>]+>|^All tables/.test(documented)) return `(placeholder) ${documented}`;
    return documented;
}

const normalize = (v: string | undefined) => (v === undefined ? undefined : v.toLowerCase());

export function parityDifferences(cloud: Record<string, string>, local: Record<string, string>): string[] {
    const managed: Spec = fixture[MANAGED];
    const debezium: Spec = fixture[DEBEZIUM];
    const keys = new Set([...Object.keys(cloud), ...Object.keys(local), ...Object.keys(managed.keys).filter((k) => k in debezium.keys)]);
    const problems: string[] = [];
    for (const key of [...keys].sort()) {
        if (key in INTENDED_DIFFERENCES) continue;
        const c = effective(managed, cloud, key);
        const l = effective(debezium, local, key);
        // A side that neither sets nor documents a default: nothing to compare.
        if (!(key in cloud) && !(key in local) && (c === undefined || l === undefined)) continue;
        if (normalize(c) !== normalize(l)) problems.push(`${key}: cloud ${c ?? "(unset)"} vs local ${l ?? "(unset)"}`);
    }
    return problems;
}

describe("local/cloud parity of the CDC connector", () => {
    const cdc: CdcConfig = { snapshotMode: "initial", sslMode: "verify_ca", heartbeatIntervalMs: 60000 };

    for (const domain of DOMAINS) {
        it(`${domain.name}: local Debezium and cloud MySqlCdcSourceV2 agree key by key, except the justified differences`, () => {
            const cloud = cdcSourceConfig({
                connectorName: cdcConnectorName("lifesci-local", domain),
                domain,
                basePrefix: "lifesci",
                hostname: "mysql",
                port: 3306,
                user: "lifesci_cdc",
                serviceAccountId: "sa-1",
                cdc,
            });
            const local = localCdcSourceConfig({
                namePrefix: "lifesci-local",
                basePrefix: "lifesci",
                domain,
                mysqlHost: "mysql",
                mysqlPort: 3306,
                user: "lifesci_cdc",
                cdc,
                serverId: 5401,
                kafka: { bootstrapServers: "kafka:9092", schemaRegistryUrl: "http://schema-registry:8081" },
            }).config;
            assert.deepEqual(parityDifferences(cloud, local), []);
        });
    }

    it("the comparison catches what finding 5 was about: a default that differs between the two connectors", () => {
        const cloud = { "topic.prefix": "p" };
        assert.deepEqual(parityDifferences(cloud, { "topic.prefix": "p" }), [
            "include.schema.changes: cloud false vs local true",
            "topic.heartbeat.prefix: cloud (placeholder) __debezium-heartbeat-<lcc-id> vs local __debezium-heartbeat",
        ]);
        assert.deepEqual(parityDifferences({ ...cloud, "time.precision.mode": "connect" }, { "topic.prefix": "p" }), [
            "include.schema.changes: cloud false vs local true",
            "time.precision.mode: cloud connect vs local adaptive_time_microseconds",
            "topic.heartbeat.prefix: cloud (placeholder) __debezium-heartbeat-<lcc-id> vs local __debezium-heartbeat",
        ]);
    });

    it("every intended difference names a key one of the two connectors documents", () => {
        for (const key of Object.keys(INTENDED_DIFFERENCES)) {
            const documented = key in fixture[MANAGED].keys || key in fixture[DEBEZIUM].keys || (fixture[DEBEZIUM].patterns ?? []).some((p: string) => new RegExp(p).test(key));
            assert.ok(documented, `${key} is not documented by either connector`);
        }
    });
});
