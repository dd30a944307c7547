// ksqlDB under the mock engine for dev and prod, and its config section.
import { strict as assert } from "assert";
import { DOMAINS, KSQL_APPS, cdcTopicPrefix, ksqlAppInputTopics, ksqlAppOutputTopics } from "../components/catalog";
import { ConfigError, parsePlatformConfig } from "../components/config";
import { loadKsqlApp } from "../components/ksql";
import { StackRun, isSecretInput, plain, readStackConfig, runStack } from "./support/harness";

const T = {
    ksql: "confluentcloud:index/ksqlCluster:KsqlCluster",
    cluster: "confluentcloud:index/kafkaCluster:KafkaCluster",
    environment: "confluentcloud:index/environment:Environment",
    serviceAccount: "confluentcloud:index/serviceAccount:ServiceAccount",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
    apiKey: "confluentcloud:index/apiKey:ApiKey",
    topic: "confluentcloud:index/kafkaTopic:KafkaTopic",
    dynamic: "pulumi-nodejs:dynamic:Resource",
};

/** The ksqlDB app deployments (other dynamic resources, e.g. the SQL bootstrap, share the type). */
const appDeployments = (run: StackRun) => run.ofType(T.dynamic).filter((r) => r.name.startsWith("ksqldb-app-"));

const SR_CRN = /^crn:\/\/confluent\.cloud\/organization=org-mock\/environment=env-\w+\/schema-registry=lsrc-mock01\/subject=/;

const runs: Record<string, StackRun> = {};
before(async function () {
    this.timeout(120_000);
    for (const stack of ["dev", "prod"]) runs[stack] = await runStack(stack);
});

const bindingsOf = (run: StackRun) => run.ofType(T.roleBinding).filter((b) => b.name.startsWith("ksqldb-identity-"));
const resourceOf = (crnPattern: string) => crnPattern.replace(/^.*\/(topic|group|subject|transactional-id|ksql)=/, "$1=");

describe("ksqlDB: cluster, identity and key under mocks", () => {
    for (const [stack, csu] of [["dev", 1], ["prod", 4]] as const) {
        it(`${stack}: a ${csu}-CSU cluster on the platform's Kafka cluster, running as its own service account`, () => {
            const run = runs[stack];
            const ksql = run.one(T.ksql);
            const account = run.one(T.serviceAccount, "ksqldb-identity");
            assert.equal(ksql.inputs.csu, csu);
            assert.equal(ksql.inputs.displayName, `lifesci-${stack}-ksqldb`);
            assert.equal(ksql.inputs.credentialIdentity.id, account.id);
            assert.match(ksql.inputs.credentialIdentity.id, /^sa-/);
            assert.match(ksql.inputs.kafkaCluster.id, /^lkc-/);
            assert.match(ksql.inputs.environment.id, /^env-/);
            assert.equal(ksql.inputs.useDetailedProcessingLog, stack === "dev", "no GMP row data in the prod processing log");
            assert.equal(ksql.protect, stack === "prod");
            const dataBindings = bindingsOf(run).filter((b) => /^(read|write)-/.test(b.name.replace("ksqldb-identity-", "")));
            assert.ok(dataBindings.length > 0);
            for (const b of dataBindings) assert.ok(ksql.dependsOn.includes(`${T.roleBinding}::${b.name}`), `cluster does not wait for ${b.name}`);
        });
    }

    it("binds the runtime account exactly what the apps need: read CDC inputs, write outputs and their subjects, own its internal topics; no KsqlAdmin", () => {
        const run = runs.dev;
        const ksql = run.one(T.ksql);
        const prefix = ksql.state.topicPrefix;
        const got = bindingsOf(run).map((b) => `${b.inputs.roleName} ${resourceOf(b.inputs.crnPattern)}`).sort();
        const expected = [
            // Inputs: the audit trail reads every CDC topic, so each domain's prefix is granted once.
            ...DOMAINS.flatMap((d) => [`DeveloperRead topic=${cdcTopicPrefix("lifesci", d)}.*`, `DeveloperRead subject=${cdcTopicPrefix("lifesci", d)}.*`]),
            ...KSQL_APPS.flatMap((a) => ksqlAppOutputTopics("lifesci", a)).flatMap((t) => [
                `DeveloperWrite topic=${t}`,
                `DeveloperWrite subject=${t}-*`,
                `DeveloperRead subject=${t}-*`,
            ]),
            // The spec limits table is joined by the OOS query of the same app.
            "DeveloperRead topic=lifesci.ksql.lab_spec_limits",
            `ResourceOwner topic=_confluent-ksql-${prefix}*`,
            `ResourceOwner subject=_confluent-ksql-${prefix}*`,
            `ResourceOwner topic=${prefix}*`,
            `ResourceOwner group=_confluent-ksql-${prefix}*`,
            `ResourceOwner transactional-id=${prefix}*`,
        ].sort();
        assert.deepEqual(got, expected);
        for (const b of bindingsOf(run)) {
            if (/subject=/.test(b.inputs.crnPattern)) assert.match(b.inputs.crnPattern, SR_CRN);
            assert.doesNotMatch(b.inputs.crnPattern, /(topic|group)=\*$/, "no wildcard over the whole cluster");
            assert.match(b.inputs.principal, /^User:sa-/);
        }
        assert.ok(!bindingsOf(run).some((b) => b.inputs.roleName === "KsqlAdmin"), "the account the queries run as cannot deploy statements");
    });

    it("a separate deployer account holds KsqlAdmin on this ksqlDB cluster only, and nothing else", () => {
        const run = runs.dev;
        const ksql = run.one(T.ksql);
        const deployer = run.ofType(T.roleBinding).filter((b) => b.name.startsWith("ksqldb-deployer-"));
        assert.deepEqual(deployer.map((b) => [b.inputs.roleName, b.inputs.crnPattern]), [["KsqlAdmin", ksql.state.resourceName]]);
        assert.notEqual(deployer[0].inputs.principal, `User:${ksql.inputs.credentialIdentity.id}`);
    });

    it("the ksqlDB API key belongs to the deployer account, manages the ksqlDB cluster, and waits for KsqlAdmin", () => {
        const run = runs.dev;
        const key = run.one(T.apiKey, "ksqldb-api-key");
        const ksql = run.one(T.ksql);
        assert.deepEqual(key.inputs.managedResource, {
            id: key.inputs.managedResource.id,
            apiVersion: "ksqldbcm/v2",
            kind: "Cluster",
            environment: { id: ksql.inputs.environment.id },
        });
        assert.match(key.inputs.managedResource.id, /^lksqlc-/);
        assert.deepEqual([key.inputs.owner.apiVersion, key.inputs.owner.kind], ["iam/v2", "ServiceAccount"]);
        assert.notEqual(key.inputs.owner.id, ksql.inputs.credentialIdentity.id, "not the runtime account");
        const admin = run.ofType(T.roleBinding).find((b) => b.name.startsWith("ksqldb-deployer-") && b.inputs.roleName === "KsqlAdmin")!;
        assert.equal(admin.inputs.principal, `User:${key.inputs.owner.id}`);
        assert.ok(key.dependsOn.includes(`${T.roleBinding}::${admin.name}`));
    });
});

describe("ksqlDB: one app deployment per app under mocks", () => {
    for (const stack of ["dev", "prod"]) {
        it(`${stack}: each app's statements are inputs, in order, with the SLA from the stack config`, () => {
            const run = runs[stack];
            const sla = stack === "prod" ? 240 : 60;
            const deployments = appDeployments(run);
            assert.deepEqual(deployments.map((d) => d.name).sort(), KSQL_APPS.map((a) => `ksqldb-app-${a.name}`).sort());
            for (const app of KSQL_APPS) {
                const d = run.one(T.dynamic, `ksqldb-app-${app.name}`);
                const expected = loadKsqlApp(app, { topicPrefix: "lifesci", orderStuckSlaMinutes: sla }).statements;
                assert.deepEqual(d.inputs.statements.map((s: any) => s.sql), expected.map((s) => s.sql));
                assert.equal(d.inputs.app, app.name);
                assert.equal(d.inputs.endpoint, run.one(T.ksql).state.restEndpoint);
                assert.equal(d.inputs.streamsProperties["ksql.streams.auto.offset.reset"], "earliest");
                assert.equal(d.protect, stack === "prod");
            }
            const stuck = run.one(T.dynamic, "ksqldb-app-order_monitoring").inputs.statements[2].sql;
            assert.match(stuck, new RegExp(`${sla} AS sla_minutes`));
        });
    }

    it("the API key reaches the engine only as a secret, stays secret in state, and is not in the serialized provider", () => {
        for (const run of Object.values(runs)) {
            const secret = plain<string>(run.one(T.apiKey, "ksqldb-api-key").state.secret);
            for (const d of appDeployments(run)) {
                assert.ok(isSecretInput(d.inputs.credentials), `${d.name}: credentials must be a secret input`);
                assert.deepEqual(plain(d.inputs.credentials), { key: plain(d.inputs.credentials).key, secret });
                assert.ok(d.secretOutputs.includes("credentials"));
                assert.ok(isSecretInput(d.state.credentials), `${d.name}: credentials must stay secret in the state`);
                const serialized = plain<string>(d.inputs.__provider);
                assert.equal(typeof serialized, "string");
                assert.ok(serialized.includes("require(\"node:https\")"), "the HTTP client is loaded inside the provider");
                assert.ok(!serialized.includes(secret));
                const visible = JSON.stringify({ ...d.inputs, credentials: undefined, __provider: undefined });
                assert.ok(!visible.includes(secret), `${d.name}: secret outside the credentials input`);
            }
        }
    });

    it("each app is deployed after the ksqlDB cluster, its key, every binding and its topics", () => {
        const run = runs.dev;
        for (const app of KSQL_APPS) {
            const d = run.one(T.dynamic, `ksqldb-app-${app.name}`);
            const needed = [
                `${T.ksql}::ksqldb-cluster`,
                `${T.apiKey}::ksqldb-api-key`,
                ...bindingsOf(run).map((b) => `${T.roleBinding}::${b.name}`),
                ...[...ksqlAppInputTopics("lifesci", app), ...ksqlAppOutputTopics("lifesci", app)].map((t) => `${T.topic}::streaming-topic-${t}`),
            ];
            for (const dep of needed) assert.ok(d.dependsOn.includes(dep), `${d.name} does not wait for ${dep}`);
        }
    });

    it("exports the ksqlDB endpoint and the statement count per app, nothing secret", () => {
        const o = runs.dev.outputs;
        assert.equal(o.ksqlDbEndpoint, runs.dev.one(T.ksql).state.restEndpoint);
        // The audit trail has one stream plus a stream and an INSERT per captured table.
        const capturedTables = DOMAINS.reduce((n, d) => n + d.tables.length, 0);
        const counts = o.ksqlDbAppStatements as Record<string, number>;
        assert.deepEqual(Object.keys(counts), KSQL_APPS.map((a) => a.name), "one count per catalog app");
        const known = { order_monitoring: 3, lab_validation: 4, manufacturing_events: 3, audit_trail: 1 + 2 * capturedTables };
        for (const [app, n] of Object.entries(known)) assert.equal(counts[app], n, app);
        const secret = plain<string>(runs.dev.one(T.apiKey, "ksqldb-api-key").state.secret);
        assert.ok(!JSON.stringify(o).includes(secret));
    });
});

describe("config: lifesci-streaming:ksqldb", () => {
    const raw = (stack: "dev" | "prod", ksqldb: unknown) => {
        const { values, secretKeys } = readStackConfig(stack);
        if (ksqldb === undefined) delete values["lifesci-streaming:ksqldb"];
        else values["lifesci-streaming:ksqldb"] = JSON.stringify(ksqldb);
        return { project: "lifesci-streaming", stack, values, secretKeys: new Set(secretKeys) };
    };
    const rejects = (stack: "dev" | "prod", ksqldb: unknown, expected: RegExp) =>
        assert.throws(() => parsePlatformConfig(raw(stack, ksqldb)), (err: Error) => {
            assert.ok(err instanceof ConfigError);
            assert.match(err.message, expected);
            return true;
        });

    it("defaults by tier: dev 1 CSU with a detailed log, prod 4 CSUs without; SLA 240 minutes", () => {
        assert.deepEqual(parsePlatformConfig(raw("dev", undefined)).ksqldb, { csu: 1, orderStuckSlaMinutes: 240, useDetailedProcessingLog: true, allowReplay: [] });
        assert.deepEqual(parsePlatformConfig(raw("prod", undefined)).ksqldb, { csu: 4, orderStuckSlaMinutes: 240, useDetailedProcessingLog: false, allowReplay: [] });
    });

    it("rejects a CSU count Confluent does not offer", () =>
        rejects("dev", { csu: 3 }, /lifesci-streaming:ksqldb\.csu: must be one of 1, 2, 4, 8, 12, 28 \(Confluent Cloud CSU sizes\)/));

    it("rejects fewer than 4 CSUs in prod", () => rejects("prod", { csu: 2 }, /lifesci-streaming:ksqldb\.csu: must be at least 4 for tier prod/));

    it("rejects a detailed processing log in prod", () =>
        rejects("prod", { useDetailedProcessingLog: true }, /lifesci-streaming:ksqldb\.useDetailedProcessingLog: must be false for tier prod/));

    it("rejects an SLA that is not a whole number of minutes in range", () => {
        rejects("dev", { orderStuckSlaMinutes: "4h" }, /lifesci-streaming:ksqldb\.orderStuckSlaMinutes: must be a number \(minutes\)/);
        rejects("dev", { orderStuckSlaMinutes: 2 }, /lifesci-streaming:ksqldb\.orderStuckSlaMinutes: must be at least 5 minutes/);
        rejects("dev", { orderStuckSlaMinutes: 7.5 }, /lifesci-streaming:ksqldb\.orderStuckSlaMinutes: must be a whole number/);
    });

    it("rejects unknown keys in the section", () => rejects("dev", { csus: 4 }, /lifesci-streaming:ksqldb: unknown key\(s\) csus/));
});

describe("stacks: the ksqlDB app deployments carry the output classes and the replay allowance", function () {
    this.timeout(60_000);
    for (const stack of ["prod", "local"] as const) {
        it(`${stack}: every query names its output classes and sources; no app may replay by default`, async () => {
            const run = await runStack(stack);
            const deployments = run.ofType("pulumi-nodejs:dynamic:Resource").filter((r) => typeof r.inputs.app === "string" && Array.isArray(r.inputs.statements));
            assert.equal(deployments.length, KSQL_APPS.length);
            for (const d of deployments) {
                const inputs = plain<{ app: string; allowReplay: boolean; statements: { kind: string; output?: { classes: string[] }; sources?: unknown[] }[] }>(d.inputs);
                assert.equal(inputs.allowReplay, false, inputs.app);
                for (const s of inputs.statements.filter((x) => x.kind !== "source")) {
                    assert.ok(s.output && s.sources && s.sources.length > 0, `${inputs.app}: ${JSON.stringify(s).slice(0, 80)}`);
                }
            }
            assert.deepEqual(Object.keys(run.outputs.ksqlDbLastRebuilds as object).sort(), KSQL_APPS.map((a) => a.name).sort(), "the gaps of the last update are a stack output");
            const audit = plain<{ statements: { output?: { topic: string; classes: string[] } }[] }>(deployments.find((d) => d.inputs.app === "audit_trail")!.inputs);
            assert.deepEqual(audit.statements.find((s) => s.output)!.output, { topic: "audit.cdc_changes", classes: ["immutable-archive"] });
        });
    }

    // A per-app permission: with two of the four apps allowed, exactly those two deployments may
    // replay (an "any app listed allows all" wiring would pass a test with an empty list only).
    for (const stack of ["dev", "local"] as const) {
        it(`${stack}: ksqldb.allowReplay reaches exactly the apps it names`, async () => {
            const allowed = ["lab_validation", "audit_trail"];
            const ksqldb = JSON.parse(readStackConfig(stack).values["lifesci-streaming:ksqldb"] ?? "{}");
            const run = await runStack(stack, { set: { "lifesci-streaming:ksqldb": { ...ksqldb, allowReplay: allowed } } });
            const deployments = run.ofType("pulumi-nodejs:dynamic:Resource").filter((r) => typeof r.inputs.app === "string" && Array.isArray(r.inputs.statements));
            const byApp = Object.fromEntries(deployments.map((d) => [d.inputs.app as string, plain<{ allowReplay: boolean }>(d.inputs).allowReplay]));
            assert.deepEqual(byApp, Object.fromEntries(KSQL_APPS.map((a) => [a.name, allowed.includes(a.name)])));
        });
    }
});
