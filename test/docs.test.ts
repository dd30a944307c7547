// Generated docs stay in step with the catalog, the program and the stack files.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { DERIVED_TOPICS, DOMAINS, KSQL_APPS, SINK_NAMES, STREAMS_APPS } from "../components/catalog";
import { ALERT_INTENTS } from "../components/monitoring";
import { architectureGraph, renderArchitectureSvg } from "../scripts/architectureSvg";
import { DOC_FILES, dataPathDiagram, generateDocs } from "../scripts/docs";
import { REPO_ROOT } from "./support/harness";

describe("docs: generated files", () => {
    for (const name of Object.keys(DOC_FILES) as (keyof typeof DOC_FILES)[]) {
        it(`${path.relative(REPO_ROOT, DOC_FILES[name])} is up to date`, async () => {
            const expected = (await generateDocs())[name];
            const committed = fs.existsSync(DOC_FILES[name]) ? fs.readFileSync(DOC_FILES[name], "utf8") : "";
            assert.ok(committed === expected, `${path.relative(REPO_ROOT, DOC_FILES[name])} is stale: run \`npm run docs\` and commit the result`);
        });
    }

    it("the data path shows every captured table, derived topic and app of the catalog", () => {
        const diagram = dataPathDiagram();
        for (const d of DOMAINS) for (const t of d.tables) assert.ok(diagram.includes(t.name), `table ${d.name}.${t.name} missing`);
        for (const t of DERIVED_TOPICS) assert.ok(diagram.includes(t.suffix), `derived topic ${t.suffix} missing`);
        for (const a of KSQL_APPS) assert.ok(diagram.includes(`app_${a.name}{{`), `app ${a.name} missing`);
    });

    it("the architecture picture draws every source, app (ksqlDB and Kafka Streams), sink and alert of the catalog, connected", () => {
        const graph = architectureGraph();
        const titles = graph.nodes.map((n) => n.title);
        for (const d of DOMAINS) assert.ok(titles.includes(`MySQL ${d.database}`), d.database);
        for (const app of [...KSQL_APPS, ...STREAMS_APPS]) {
            assert.ok(titles.includes(app.name), app.name);
            assert.ok(graph.edges.some((e) => e.to === `app:${app.name}`) && graph.edges.some((e) => e.from === `app:${app.name}`), `${app.name} has inputs and outputs`);
        }
        for (const sink of SINK_NAMES) assert.ok(graph.edges.some((e) => e.to === `sink:${sink}`), `${sink} reads a topic`);
        for (const intent of ALERT_INTENTS) assert.ok(titles.includes(intent.alertName), intent.key);
        const svg = renderArchitectureSvg(graph);
        assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="\d+" height="\d+"/);
        assert.equal((svg.match(/<path d="M[\d.]+,[\d.]+ C/g) ?? []).length, graph.edges.length, "one drawn curve per edge");
        assert.ok(!svg.includes("<prefix>"), "text is escaped");
    });

    it("the config reference shows no secret value", async () => {
        const { config } = await generateDocs();
        assert.ok(!/mock-secret-for-/.test(config));
        assert.match(config, /\| `mysql.backupRetentionDays` \| `1` \| `14` \|/);
    });
});

describe("docs: hand-written runbook", () => {
    it("covers bootstrap, credential rotation, adding a table, connector recovery, audit replay, failed audit replication and ksqlDB app changes", () => {
        const runbook = fs.readFileSync(path.join(REPO_ROOT, "docs", "runbook.md"), "utf8");
        for (const heading of ["Bootstrap a new environment", "Rotate credentials", "Add a table", "Recover a failed connector", "Replay from the audit archive", "Audit replication failed", "Changing a ksqlDB app"]) {
            assert.match(runbook, new RegExp(`^## ${heading}`, "m"), `runbook section "${heading}" missing`);
        }
    });
});
