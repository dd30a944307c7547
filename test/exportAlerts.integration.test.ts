// npm run alerts:export: Prometheus rule files for the same estate the platform watches.
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { DOMAINS, SINK_NAMES } from "../components/catalog";
import { UsageError } from "../scripts/cliSupport";
import { main } from "../scripts/exportAlerts";
import { promtool } from "./support/promtool";

const SCRIPT = path.join(__dirname, "..", "scripts", "exportAlerts.ts");

function exportAlerts(args: string[]) {
    const run = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin.js"), SCRIPT, ...args], {
        encoding: "utf8",
        cwd: path.join(__dirname, ".."),
        timeout: 60_000,
    });
    return { code: run.status, out: `${run.stdout}${run.stderr}` };
}

/** What `pulumi stack output --json` gives after a deploy (ids as Confluent and AWS shape them). */
function stackOutputs(dropSink?: string): Record<string, unknown> {
    return {
        kafkaClusterId: "lkc-9x8y7z",
        ksqlDbClusterId: "lksqlc-4d5e6f",
        mysqlInstanceId: "lifesci-prod-mysql",
        cdcConnectorIds: Object.fromEntries(DOMAINS.map((d, i) => [d.name, `lcc-cdc00${i}`])),
        sinkConnectorIds: Object.fromEntries(SINK_NAMES.filter((s) => s !== dropSink).map((s, i) => [s, `lcc-sink0${i}`])),
    };
}

describe("npm run alerts:export", function () {
    this.timeout(120_000);
    let dir: string;

    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "lifesci-alerts-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes promtool-valid rule files for both metrics sources, watching CDC and sink connectors", () => {
        const outputs = path.join(dir, "outputs.json");
        fs.writeFileSync(outputs, JSON.stringify(stackOutputs()));
        const run = exportAlerts(["--stack", "prod", "--out", dir, "--outputs", outputs]);
        assert.equal(run.code, 0, run.out);
        for (const file of ["local.rules.yml", "confluent-cloud.rules.yml"]) {
            const check = promtool(["check", "rules", file], path.join(dir, "prod"));
            assert.equal(check.status, 0, check.output);
        }
        const cloud = YAML.parse(fs.readFileSync(path.join(dir, "prod", "confluent-cloud.rules.yml"), "utf8"));
        const rulesOf = (intent: string) => cloud.groups.find((g: { name: string }) => g.name === `lifesci-${intent}`)?.rules ?? [];
        const dlq = rulesOf("dlq_growth").map((r: { expr: string }) => r.expr).join("\n");
        for (let i = 0; i < SINK_NAMES.length; i++) assert.match(dlq, new RegExp(`connector_id="lcc-sink0${i}"`), `DLQ rule for ${SINK_NAMES[i]}`);
        assert.equal(rulesOf("connector_not_running").length, DOMAINS.length + SINK_NAMES.length);
    });

    it("refuses outputs that lack a sink connector id, naming it", () => {
        const outputs = path.join(dir, "partial.json");
        fs.writeFileSync(outputs, JSON.stringify(stackOutputs("s3-audit")));
        assert.throws(() => main(["--stack", "prod", "--out", dir, "--outputs", outputs]), /^Error: --outputs: .*partial\.json: sinkConnectorIds has no id for s3-audit$/);
    });

    it("refuses bad input in one line naming the option or file, writing nothing", () => {
        const out = path.join(dir, "refused");
        const file = (name: string, text: string) => {
            fs.writeFileSync(path.join(dir, name), text);
            return path.join(dir, name);
        };
        const cases: [string[], RegExp][] = [
            [["--stack", "nope"], /^--stack: no Pulumi\.nope\.yaml in /],
            [["--stack"], /^option '--stack <name>' argument missing/],
            [["--stak", "prod"], /^unknown option '--stak' \(Did you mean --stack\?\)/],
            [["--outputs", file("bad.json", "{ kafkaClusterId: ")], /^--outputs: .*bad\.json is not JSON \(/],
            [["--outputs", file("empty.json", "{}")], /^--outputs: .*empty\.json has no cdcConnectorIds/],
            [["--outputs", file("list.json", "[]")], /^--outputs: .*list\.json must hold a JSON object/],
            [["--outputs", path.join(dir, "missing.json")], /^--outputs: cannot read .*missing\.json \(ENOENT\)/],
        ];
        for (const [args, message] of cases) {
            assert.throws(
                () => main(["--out", out, ...args]),
                (err: Error) => err instanceof UsageError && message.test(err.message) && !err.message.includes("\n"),
                `${args.join(" ")} should fail with ${message}`,
            );
        }
        assert.ok(!fs.existsSync(out), "nothing written");
    });

    it("as a command: exit 2 and one line on stderr, no stack trace", () => {
        fs.writeFileSync(path.join(dir, "empty.json"), "{}");
        const run = exportAlerts(["--out", dir, "--stack", "prod", "--outputs", path.join(dir, "empty.json")]);
        assert.equal(run.code, 2, run.out);
        assert.match(run.out, /^error: --outputs: .*empty\.json has no cdcConnectorIds.*\n$/);
        assert.equal(run.out.trim().split("\n").length, 1, run.out);
    });
});
