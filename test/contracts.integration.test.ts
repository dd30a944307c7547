// The contracts on the schema as the real server reports it: the catalog, every ksqlDB app and
// every Snowflake / local warehouse table, each fed by information_schema of the bootstrapped
// MariaDB (the migrations applied by the SQL bootstrap), not by the committed snapshot.
import { strict as assert } from "assert";
import type * as mysql from "mysql2/promise";
import { DOMAINS, KSQL_APPS, WAREHOUSE_TABLES, domainByName } from "../components/catalog";
import { DdlTable, catalogDdlMismatches, domainTables } from "../components/ddl";
import { defaultContractContext, ksqlAppProblems, loadKsqlApp } from "../components/ksql";
import { warehouseTableColumns } from "../components/sinks";
import { HISTORY_TABLE, SIGNAL_TABLE, connectMySql, readEffectiveSchema } from "../components/source";
import { postgresWarehouseDdl } from "../local/settings";
import { bootstrappedSources } from "./support/sources";

describe("contracts on the schema the server reports (real MariaDB, after the bootstrap's migrations)", function () {
    this.timeout(60_000);
    const fromServer: Record<string, DdlTable[]> = {};
    const read = (domain: string) => fromServer[domain];

    before(async () => {
        const server = await bootstrappedSources();
        const conn: mysql.Connection = await connectMySql(server.rootEndpoint);
        try {
            for (const d of DOMAINS) fromServer[d.name] = await readEffectiveSchema(conn, d.database, { exclude: [HISTORY_TABLE, SIGNAL_TABLE] });
        } finally {
            await conn.end();
        }
    });

    it("catalog: every captured table exists with its primary key", () => {
        assert.deepEqual(catalogDdlMismatches(DOMAINS, read), []);
    });

    it("ksqlDB: every app's declared CDC columns exist with a readable type", () => {
        const ctx = { ...defaultContractContext("lifesci"), readDdl: read };
        for (const app of KSQL_APPS) assert.deepEqual(ksqlAppProblems(loadKsqlApp(app, { topicPrefix: "lifesci", orderStuckSlaMinutes: 90 }), ctx), [], app.name);
    });

    it("warehouse: Snowflake and local Postgres tables are what the server's columns give, and the committed snapshot agrees", () => {
        for (const table of WAREHOUSE_TABLES) assert.deepEqual(warehouseTableColumns(table, read), warehouseTableColumns(table), table.name);
        assert.equal(postgresWarehouseDdl(WAREHOUSE_TABLES, read), postgresWarehouseDdl());
        for (const d of DOMAINS) assert.deepEqual(fromServer[d.name], domainTables(domainByName(d.name).name), d.name);
    });

    it("a column the migrations do not create breaks the ksqlDB contract, naming it", () => {
        const lims = fromServer.lims.map((t) => (t.name === "test_results" ? { ...t, columns: t.columns.filter((c) => c.name !== "result_value") } : t));
        const ctx = { ...defaultContractContext("lifesci"), readDdl: (d: string) => (d === "lims" ? lims : read(d)) };
        const problems = ksqlAppProblems(loadKsqlApp(KSQL_APPS.find((a) => a.name === "lab_validation")!, { topicPrefix: "lifesci", orderStuckSlaMinutes: 90 }), ctx);
        assert.ok(problems.some((p) => /RESULT_VALUE is not in lims\.test_results \(sql\/mysql\/lims\/\)/i.test(p)), problems.join("\n"));
    });
});
