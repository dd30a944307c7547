// The cloud -> local connector mapping: a cloud key is kept, dropped or rewritten by its rule, and
// a cloud key without a rule fails naming the key and the connector (properties over any config).
import { strict as assert } from "assert";
import fc from "fast-check";
import { DOMAINS } from "../components/catalog";
import { SNAPSHOT_MODES, SSL_MODES } from "../components/config";
import { cdcConnectorName, cdcSourceConfig } from "../components/source";
import { localCdcSourceConfig, translateCloudConfig } from "./connectorMapping";

const key = fc.stringMatching(/^[a-z]{1,8}(\.[a-z]{1,8}){0,2}$/).filter((k) => !k.startsWith("transforms."));
const ruleKind = fc.constantFrom("keep" as const, "drop" as const, "map" as const, "none" as const);

describe("local connector mapping (properties)", () => {
    it("keeps, drops or rewrites each key by its rule; a key without a rule fails naming it", () => {
        fc.assert(
            fc.property(fc.dictionary(key, fc.tuple(fc.string({ maxLength: 6 }), ruleKind), { minKeys: 1, maxKeys: 8 }), (spec) => {
                const cloud = Object.fromEntries(Object.entries(spec).map(([k, [v]]) => [k, v]));
                const rules = Object.fromEntries(
                    Object.entries(spec)
                        .filter(([, [, kind]]) => kind !== "none")
                        .map(([k, [, kind]]) => [k, kind === "keep" ? { keep: true as const } : kind === "drop" ? { drop: "test" } : { map: (v: string) => ({ [`local.${k}`]: v }) }]),
                );
                const unmapped = Object.entries(spec).find(([, [, kind]]) => kind === "none");
                if (unmapped) {
                    assert.throws(() => translateCloudConfig(cloud, rules, "connector x"), (err: Error) => err.message.includes(`connector x: cloud key "${unmapped[0]}" has no local mapping`));
                    return;
                }
                const local = translateCloudConfig(cloud, rules, "connector x");
                const expected: Record<string, string> = {};
                for (const [k, [v, kind]] of Object.entries(spec)) {
                    if (kind === "keep") expected[k] = v;
                    if (kind === "map") expected[`local.${k}`] = v;
                }
                assert.deepEqual(local, expected);
            }),
        );
    });

    it("maps every key of the cloud CDC config for any domain and any CDC setting the schema allows", () => {
        fc.assert(
            fc.property(
                fc.constantFrom(...DOMAINS),
                fc.constantFrom(...SNAPSHOT_MODES),
                fc.constantFrom(...SSL_MODES),
                fc.integer({ min: 0, max: 3_600_000 }),
                (domain, snapshotMode, sslMode, heartbeatIntervalMs) => {
                    const cdc = { snapshotMode, sslMode, heartbeatIntervalMs };
                    const kafka = { bootstrapServers: "kafka:29092", schemaRegistryUrl: "http://schema-registry:8081" };
                    const local = localCdcSourceConfig({ namePrefix: "lifesci-local", basePrefix: "lifesci", domain, mysqlHost: "mysql", mysqlPort: 3306, user: "cdc", cdc, serverId: 5400, kafka });
                    const cloud = cdcSourceConfig({ connectorName: cdcConnectorName("lifesci-local", domain), domain, basePrefix: "lifesci", hostname: "mysql", port: 3306, user: "cdc", serviceAccountId: "sa", cdc });
                    // Settings both connectors share carry the same value locally.
                    for (const k of ["table.include.list", "topic.prefix", "snapshot.mode", "heartbeat.interval.ms"]) {
                        assert.equal(local.config[k], cloud[k], k);
                    }
                    // Cloud verifies whatever the config says; the local container's certificate is self-signed.
                    assert.equal(cloud["database.ssl.mode"], sslMode);
                    assert.equal(local.config["database.ssl.mode"], "required");
                },
            ),
            { numRuns: 40 },
        );
    });
});
