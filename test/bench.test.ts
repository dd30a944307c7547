// The benchmark at its smallest size: one child process per stack, a table of the right shape.
import { strict as assert } from "assert";
import { DOMAINS } from "../components/catalog";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { BENCH_COLUMNS, DEFAULT_SIZES, STARTUP_COLUMNS, flatReplayProgram, renderBenchTable, renderStartupTable, runBench, syntheticTables } from "../scripts/bench";

describe("bench", function () {
    this.timeout(60_000);

    it("spreads synthetic tables over the domains round-robin, with unique names", () => {
        const tables = syntheticTables(6);
        assert.deepEqual(Object.keys(tables), DOMAINS.map((d) => d.name));
        const all = Object.values(tables).flat();
        assert.equal(all.length, 6);
        assert.equal(new Set(all).size, 6);
        assert.deepEqual(tables[DOMAINS[0].name], ["bench_0001", "bench_0005"]);
    });

    it(`runs the smallest size (${Math.min(...DEFAULT_SIZES)} synthetic tables) and prints one row per stack`, () => {
        const size = Math.min(...DEFAULT_SIZES);
        const rows = runBench([size], ["dev"]);
        const realTables = DOMAINS.reduce((n, d) => n + d.tables.length, 0);
        assert.equal(rows.length, 1);
        const [row] = rows;
        assert.equal(row.stack, "dev");
        assert.equal(row.tables, realTables + size, "the synthetic tables reached the evaluated catalog");
        assert.ok(row.resources > 200, `resources: ${row.resources}`);
        assert.ok(row.evalMs > 0 && row.totalMs >= row.evalMs, JSON.stringify(row));
        assert.ok(row.peakRssMb > 50 && row.peakRssMb < 2048, `peak RSS ${row.peakRssMb} MB`);

        const lines = renderBenchTable(rows).split("\n");
        assert.equal(lines.length, 3, "header, separator, one row");
        const cells = (line: string) => line.split("|").slice(1, -1).map((c) => c.trim());
        assert.deepEqual(cells(lines[0]), BENCH_COLUMNS);
        const values = cells(lines[2]);
        assert.equal(values.length, BENCH_COLUMNS.length);
        assert.equal(values[0], "dev");
        for (const v of values.slice(1)) assert.match(v, /^\d+$/);
    });

    it("the flat replay program registers exactly the recorded resources, with the providers loaded", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-test-"));
        const file = path.join(dir, "resources.json");
        const resources = [
            { type: "aws:s3/bucket:Bucket", name: "b", inputs: { bucket: "x" } },
            { type: "confluentcloud:index/kafkaTopic:KafkaTopic", name: "t", inputs: {} },
            { type: "pulumi-nodejs:dynamic:Resource", name: "d", inputs: {} },
        ];
        fs.writeFileSync(file, JSON.stringify(resources));
        const replay = flatReplayProgram("dev", file);
        try {
            const index = fs.readFileSync(path.join(replay.dir, "index.ts"), "utf8");
            // The providers of the recorded resources, and only those.
            assert.deepEqual([...index.matchAll(/^import "([^"]+)";$/gm)].map((m) => m[1]), ["@pulumi/aws", "@pulumi/confluentcloud"]);
            assert.match(index, /new pulumi\.CustomResource\(r\.type, r\.name, r\.inputs\)/);
            assert.deepEqual(JSON.parse(fs.readFileSync(path.join(replay.dir, "resources.json"), "utf8")), resources);
            assert.ok(fs.existsSync(path.join(replay.dir, "Pulumi.dev.yaml")));
        } finally {
            replay.cleanup();
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.ok(!fs.existsSync(replay.dir), "cleaned up");
    });

    it("the start-up table shows the ratio of program to flat replay", () => {
        const lines = renderStartupTable([{ stack: "prod", resources: 243, programMs: 1500, flatReplayMs: 1000, planMs: 2100 }]).split("\n");
        const cells = (line: string) => line.split("|").slice(1, -1).map((c) => c.trim());
        assert.deepEqual(cells(lines[0]), STARTUP_COLUMNS);
        assert.deepEqual(cells(lines[2]), ["prod", "243", "1500", "1000", "1.50", "2100"]);
    });
});
