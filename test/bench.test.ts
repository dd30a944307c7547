// The benchmark at its smallest size: one child process per stack, a table of the right shape.
import { strict as assert } from "assert";
import { DOMAINS } from "../components/catalog";
import { BENCH_COLUMNS, DEFAULT_SIZES, renderBenchTable, runBench, syntheticTables } from "../scripts/bench";

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
});
