// CDC heartbeats (issue 15, finding 1): the topic each CDC connector sends heartbeats to is a
// catalog topic that Pulumi creates with short retention and that the connector may write; no sink,
// ksqlDB app or record-counting alert reads it. Under mocks for dev and prod.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ALERT_INTENTS, alertRules } from "../components/monitoring";
import {
    DOMAINS,
    HEARTBEAT_RETENTION_MS,
    KSQL_APPS,
    SINK_NAMES,
    WAREHOUSE_TABLES,
    allTopics,
    auditArchiveTopics,
    heartbeatTopicName,
    ksqlAppInputTopics,
    rawLakeTopics,
    warehouseTopic,
} from "../components/catalog";
import { DEFAULT_THRESHOLDS } from "../components/config";
import { StackRun, runStack } from "./support/harness";

const T = {
    connector: "confluentcloud:index/connector:Connector",
    topic: "confluentcloud:index/kafkaTopic:KafkaTopic",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
};

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, "fixtures", "connector-keys.json"), "utf8"));

/**
 * The topic a MySqlCdcSourceV2 sends heartbeats to, from its config as sent: Debezium names it
 * `<topic.heartbeat.prefix>.<topic.prefix>`, with the documented default prefix when unset.
 */
function effectiveHeartbeatTopic(config: Record<string, string>, connectorId: string): string {
    const prefix = config["topic.heartbeat.prefix"] ?? String(fixture.MySqlCdcSourceV2.keys["topic.heartbeat.prefix"].default).replace("<lcc-id>", connectorId);
    return `${prefix}.${config["topic.prefix"]}`;
}

/** Does an RBAC CRN pattern's last segment (`topic=lifesci.sap.*`) cover this resource name? */
function crnCovers(crnPattern: string, kind: "topic" | "subject", name: string): boolean {
    const last = crnPattern.split("/").pop()!;
    if (!last.startsWith(`${kind}=`)) return false;
    const pattern = last.slice(kind.length + 1);
    return pattern.endsWith("*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

describe("CDC heartbeats (catalog)", () => {
    it("each domain has one heartbeat topic inside the platform prefix, single-partition, retained a day", () => {
        const topics = allTopics("lifesci");
        for (const domain of DOMAINS) {
            const name = heartbeatTopicName("lifesci", domain);
            assert.equal(name, `lifesci.heartbeat.lifesci.${domain.name}`);
            const spec = topics.find((t) => t.name === name);
            assert.ok(spec, `${name} is not a catalog topic`);
            assert.deepEqual([spec.retention, spec.partitions, spec.domain], ["heartbeat", 1, domain.name]);
        }
        assert.equal(HEARTBEAT_RETENTION_MS, 86_400_000);
    });

    it("no sink, ksqlDB app or record-counting alert reads a heartbeat topic", () => {
        const heartbeats = new Set(DOMAINS.map((d) => heartbeatTopicName("lifesci", d)));
        const read = [
            ...rawLakeTopics("lifesci"),
            ...auditArchiveTopics("lifesci"),
            ...WAREHOUSE_TABLES.map((t) => warehouseTopic("lifesci", t)),
            ...KSQL_APPS.flatMap((app) => ksqlAppInputTopics("lifesci", app)),
        ];
        assert.deepEqual(read.filter((t) => heartbeats.has(t)), []);
        const estate = {
            basePrefix: "lifesci",
            connectors: [],
            ksqlClusterIds: [],
            rdsInstanceIds: [],
        };
        for (const source of ["confluent-cloud", "local"] as const) {
            const rules = alertRules(source, estate, DEFAULT_THRESHOLDS.dev, { startHourUtc: 6, endHourUtc: 18, weekdaysOnly: true });
            assert.ok(rules.length >= ALERT_INTENTS.length - 5);
            for (const rule of rules) {
                for (const hb of heartbeats) assert.ok(!rule.query.includes(hb), `${rule.title} counts heartbeat records`);
                assert.ok(!rule.query.includes(".heartbeat."), `${rule.title} matches heartbeat topics`);
            }
        }
    });
});

describe("CDC heartbeats under mocks (dev and prod)", function () {
    this.timeout(60_000);
    const runs: Record<string, StackRun> = {};
    before(async () => {
        for (const stack of ["dev", "prod"]) runs[stack] = await runStack(stack);
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every CDC connector's heartbeat topic is created first, retained short, and writable by that connector alone`, () => {
            const run = runs[stack];
            for (const domain of DOMAINS) {
                const connector = run.one(T.connector, `cdc-${domain.name}`);
                const config: Record<string, string> = connector.inputs.configNonsensitive;
                assert.ok(Number(config["heartbeat.interval.ms"]) > 0, "heartbeats are on");
                const heartbeat = effectiveHeartbeatTopic(config, connector.id ?? "lcc-unknown");

                const topic = run.ofType(T.topic).find((t) => t.inputs.topicName === heartbeat);
                assert.ok(topic, `${domain.name}: the connector sends heartbeats to ${heartbeat}, which the stack does not create`);
                assert.equal(topic.inputs.config["retention.ms"], String(HEARTBEAT_RETENTION_MS));
                assert.ok(connector.dependsOn.some((d) => d.endsWith(`::${topic.name}`)), `${domain.name}: connector waits for ${heartbeat}`);

                const bindings = run.ofType(T.roleBinding);
                const principal = bindings.find((b) => b.name.startsWith(`cdc-${domain.name}-identity-`))!.inputs.principal;
                const writers = bindings.filter((b) => b.inputs.roleName === "DeveloperWrite" && crnCovers(String(b.inputs.crnPattern), "topic", heartbeat));
                assert.deepEqual([...new Set(writers.map((b) => b.inputs.principal))], [principal], `${domain.name}: only its CDC connector writes ${heartbeat}`);
                for (const subject of [`${heartbeat}-key`, `${heartbeat}-value`]) {
                    assert.ok(
                        bindings.some((b) => b.inputs.principal === principal && b.inputs.roleName === "DeveloperWrite" && crnCovers(String(b.inputs.crnPattern), "subject", subject)),
                        `${domain.name}: the connector cannot register ${subject}`,
                    );
                }
            }
        });

        it(`${stack}: no sink connector reads a heartbeat topic`, () => {
            const run = runs[stack];
            const heartbeats = DOMAINS.map((d) => heartbeatTopicName("lifesci", d));
            for (const sink of SINK_NAMES) {
                const config = run.one(T.connector, `sink-${sink}`).inputs.configNonsensitive;
                for (const hb of heartbeats) assert.ok(!config.topics.split(",").includes(hb), `${sink} reads ${hb}`);
            }
        });
    }
});
