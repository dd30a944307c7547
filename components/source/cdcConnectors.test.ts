import { strict as assert } from "assert";
import { DOMAINS, domainByName } from "../catalog";
import { CdcConfig } from "../config";
import { CDC_SOURCE_SENSITIVE_KEYS, cdcSourceConfig } from "./cdcConnectors";
import { connectorConfigProblems } from "../../test/support/connectorKeys";

const cdc: CdcConfig = { snapshotMode: "initial", sslMode: "verify_ca", heartbeatIntervalMs: 60000 };

function build(domain = domainByName("lims")) {
    return cdcSourceConfig({
        connectorName: "lifesci-dev-lims-cdc",
        domain,
        basePrefix: "lifesci",
        hostname: "db.example.internal",
        port: 3306,
        user: "lifesci_cdc",
        serviceAccountId: "sa-abc123",
        cdc,
    });
}

describe("CDC source connector config (MySqlCdcSourceV2)", () => {
    it("uses only documented keys and valid values, and sets every required key", () => {
        for (const domain of DOMAINS) {
            const sensitive = Object.fromEntries(CDC_SOURCE_SENSITIVE_KEYS.map((k) => [k, "x"]));
            assert.deepEqual(connectorConfigProblems("MySqlCdcSourceV2", build(domain), sensitive), [], domain.name);
        }
    });

    it("captures exactly the catalog's tables of one database into <prefix>.<db>.<table> topics", () => {
        const config = build();
        assert.equal(config["database.include.list"], "lims");
        assert.equal(config["table.include.list"], domainByName("lims").tables.map((t) => `lims.${t.name}`).join(","));
        assert.ok(config["table.include.list"].includes("lims.test_results"));
        assert.equal(config["topic.prefix"], "lifesci.lims");
        assert.equal(config["schema.history.internal.kafka.topic"], "dbhistory.lifesci.lims");
    });

    it("keeps before/after images, AVRO with Schema Registry, TLS and service-account auth", () => {
        const config = build();
        assert.equal(config["after.state.only"], "false");
        assert.equal(config["output.data.format"], "AVRO");
        assert.equal(config["output.key.format"], "AVRO");
        assert.equal(config["database.ssl.mode"], "verify_ca", "from the config: the certificate is checked");
        assert.equal(config["kafka.auth.mode"], "SERVICE_ACCOUNT");
        assert.equal(config["kafka.service.account.id"], "sa-abc123");
        assert.equal(config["snapshot.mode"], "initial");
        assert.ok(!("database.password" in config), "the password never goes in the non-sensitive config");
    });
});

describe("connector key checker", () => {
    it("catches V1 keys, enum typos, secrets outside configSensitive and missing required keys", () => {
        const config = { ...build(), "database.server.name": "old", "snapshot.mode": "schema_only_please" };
        delete (config as Record<string, string>)["topic.prefix"];
        const problems = connectorConfigProblems("MySqlCdcSourceV2", { ...config, "database.password": "pw" });
        assert.ok(problems.includes("database.server.name: not a documented MySqlCdcSourceV2 key"), problems.join("\n"));
        assert.ok(problems.some((p) => p.startsWith('snapshot.mode: "schema_only_please" is not one of')));
        assert.ok(problems.includes("database.password: sensitive, must be in configSensitive"));
        assert.ok(problems.includes("topic.prefix: required"));
    });

    it("requires the password when authentication.method is the default Password", () => {
        const problems = connectorConfigProblems("MySqlCdcSourceV2", build());
        assert.ok(problems.some((p) => p.startsWith("database.password: required when")), problems.join("\n"));
    });
});
