// Schema Registry governance and added-table backfill, as the engine would receive them (mock engine).
import { strict as assert } from "assert";
import { DERIVED_TOPICS, DOMAINS, derivedTopicName, topicName } from "../components/catalog";
import { ConfigError, parsePlatformConfig } from "../components/config";
import { signalDataCollection } from "../components/source";
import { governedSubjects } from "../components/streaming";
import { StackRun, isSecretInput, plain, readStackConfig, runStack } from "./support/harness";

const T = {
    subjectConfig: "confluentcloud:index/subjectConfig:SubjectConfig",
    connector: "confluentcloud:index/connector:Connector",
    roleBinding: "confluentcloud:index/roleBinding:RoleBinding",
    apiKey: "confluentcloud:index/apiKey:ApiKey",
    dynamic: "pulumi-nodejs:dynamic:Resource",
};

const runs: Record<string, StackRun> = {};
before(async function () {
    this.timeout(120_000);
    for (const stack of ["dev", "prod"]) runs[stack] = await runStack(stack);
});

const everySubject = (prefix: string) => [
    ...DOMAINS.flatMap((d) => d.tables.flatMap((t) => [`${topicName(prefix, d, t.name)}-key`, `${topicName(prefix, d, t.name)}-value`])),
    ...DERIVED_TOPICS.map((t) => `${derivedTopicName(prefix, t.suffix)}-value`),
];

describe("stacks: Schema Registry compatibility per subject", () => {
    for (const [stack, level] of [
        ["dev", "BACKWARD"],
        ["prod", "BACKWARD_TRANSITIVE"],
    ] as const) {
        it(`${stack}: one SubjectConfig per CDC key/value and ksqlDB value subject, ${level}, set with a secret key of a subject-scoped account`, () => {
            const configs = runs[stack].ofType(T.subjectConfig);
            assert.deepEqual(configs.map((c) => c.inputs.subjectName).sort(), everySubject("lifesci").sort());
            for (const c of configs) {
                assert.equal(c.inputs.compatibilityLevel, level, c.inputs.subjectName);
                assert.ok(isSecretInput(c.inputs.credentials.secret) || isSecretInput(c.inputs.credentials), `${c.name}: the API secret stays secret`);
                assert.equal(c.protect, stack === "prod", `${c.name}: protected in prod only`);
            }
            const [binding] = runs[stack].ofType(T.roleBinding).filter((b) => b.name.startsWith("schema-governance-governor-"));
            assert.equal(binding.inputs.roleName, "ResourceOwner");
            assert.match(String(plain(binding.inputs.crnPattern)), /\/subject=lifesci\.\*$/);
        });
    }

    it("the CDC connectors wait for the subjects' compatibility (the component, hence all its SubjectConfigs), so the first schema is already checked", () => {
        const governance = "lifesci:streaming:SchemaGovernance::schema-governance";
        assert.ok(runs.prod.ofType(T.subjectConfig).every((s) => s.parent === governance), "every SubjectConfig is a child of the governance component");
        for (const c of runs.prod.ofType(T.connector).filter((c) => c.name.startsWith("cdc-"))) {
            assert.ok(c.dependsOn.includes(governance), c.name);
        }
    });

    it("overrides by subject name; an unknown subject is an error naming the key", async () => {
        const subject = `${topicName("lifesci", DOMAINS[0], DOMAINS[0].tables[0].name)}-value`;
        const run = await runStack("dev", { set: { "lifesci-streaming:schemaRegistry": { overrides: { [subject]: "FULL_TRANSITIVE" } } } });
        assert.equal(run.ofType(T.subjectConfig).find((c) => c.inputs.subjectName === subject)!.inputs.compatibilityLevel, "FULL_TRANSITIVE");
        assert.throws(
            () => governedSubjects("lifesci", { cdcCompatibility: "BACKWARD", ksqlCompatibility: "BACKWARD", overrides: { "lifesci.nope-value": "NONE" } }),
            /^Error: lifesci-streaming:schemaRegistry\.overrides: not a subject of this platform: lifesci\.nope-value$/,
        );
    });

    it("prod refuses anything looser than BACKWARD_TRANSITIVE, naming the key", () => {
        const raw = readStackConfig("prod");
        const values = {
            ...raw.values,
            "lifesci-streaming:schemaRegistry": JSON.stringify({ cdcCompatibility: "BACKWARD", overrides: { "lifesci.x-value": "NONE" } }),
        };
        assert.throws(
            () => parsePlatformConfig({ project: "lifesci-streaming", stack: "prod", values, secretKeys: new Set(raw.secretKeys) }),
            (err: Error) => {
                assert.ok(err instanceof ConfigError);
                assert.match(err.message, /lifesci-streaming:schemaRegistry\.cdcCompatibility: must be BACKWARD_TRANSITIVE or FULL_TRANSITIVE for tier prod \(got BACKWARD\)/);
                assert.match(err.message, /lifesci-streaming:schemaRegistry\.overrides\["lifesci\.x-value"\]: must be BACKWARD_TRANSITIVE or FULL_TRANSITIVE for tier prod \(got NONE\)/);
                return true;
            },
        );
        const typo = { ...raw.values, "lifesci-streaming:schemaRegistry": JSON.stringify({ cdcCompatibility: "BACKWARDS" }) };
        assert.throws(() => parsePlatformConfig({ project: "lifesci-streaming", stack: "prod", values: typo, secretKeys: new Set(raw.secretKeys) }), /schemaRegistry\.cdcCompatibility: must be one of NONE, BACKWARD/);
    });
});

describe("stacks: backfill of added tables", () => {
    it("every CDC connector names its database's signal table, and a signal resource per domain runs after its connector", () => {
        for (const domain of DOMAINS) {
            const connector = runs.prod.one(T.connector, `cdc-${domain.name}`);
            assert.equal(plain(connector.inputs.configNonsensitive)["signal.data.collection"], signalDataCollection(domain.database));
            assert.equal(signalDataCollection(domain.database), `${domain.database}.lifesci_cdc_signal`);
            const signal = runs.prod.one(T.dynamic, `cdc-${domain.name}-snapshot-signal`);
            assert.deepEqual(plain(signal.inputs.tables), domain.tables.map((t) => t.name));
            assert.equal(signal.inputs.database, domain.database);
            assert.ok(signal.dependsOn.includes(`${T.connector}::cdc-${domain.name}`), "the updated connector must read the signal");
            assert.ok(isSecretInput(signal.inputs.password));
        }
    });

    it("without the bootstrap (no admin path) there is no signal writer", async () => {
        const off = await runStack("dev", { set: { "lifesci-streaming:mysql": { bootstrap: false, operatorCidrs: [] } } });
        assert.equal(off.ofType(T.dynamic).filter((r) => r.name.endsWith("-snapshot-signal")).length, 0);
    });
});
