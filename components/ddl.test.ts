// The SQL script and text helpers on literal inputs, with expectations written out (mutation
// testing of ddl.ts / sqlText.ts showed which decisions no test pinned down).
import { strict as assert } from "assert";
import { catalogDdlMismatches, domainTables, readSchemaSnapshot, splitSqlStatements } from "./ddl";
import { splitTopLevel } from "./sqlText";

describe("the effective schema file", () => {
    it("a domain it does not hold fails naming the file and what to do", () => {
        assert.throws(
            () => domainTables("qms", { comment: "", domains: {} }),
            (err: Error) => err.message === 'sql/mysql/effective-schema.json: no domain "qms"; add sql/mysql/qms/V001__baseline.sql and run npm run schema:check -- --write',
        );
        assert.deepEqual(Object.keys(readSchemaSnapshot().domains).sort(), ["lims", "mes", "sap", "screening"]);
    });
});

describe("SQL script splitting (what the bootstrap runs statement by statement)", () => {
    it("splits on ; outside quotes, backticks and comments, dropping comments and empty statements", () => {
        assert.deepEqual(
            splitSqlStatements(`INSERT INTO t VALUES ('a;b', "c;d"); -- x; y
            /* z; w */ CREATE TABLE \`we;ird\` (a INT);;
            INSERT INTO t VALUES ('it\\'s; fine');
            SELECT 1`),
            ["INSERT INTO t VALUES ('a;b', \"c;d\")", "CREATE TABLE `we;ird` (a INT)", "INSERT INTO t VALUES ('it\\'s; fine')", "SELECT 1"],
        );
        assert.deepEqual(splitSqlStatements("  ;  ; "), []);
        assert.deepEqual(splitSqlStatements("SELECT 1 /* never closed ; "), ["SELECT 1"]);
        assert.deepEqual(splitSqlStatements("SELECT 1 -- trailing"), ["SELECT 1"]);
        // A comment still separates words; a lone "-" or "/" is arithmetic, not a comment.
        assert.deepEqual(splitSqlStatements("SELECT a--c\nFROM t; SELECT b/*x*/FROM t; SELECT 1-2, 3/4"), ["SELECT a\nFROM t", "SELECT b FROM t", "SELECT 1-2, 3/4"]);
        // Backslash escapes apply in '...' and "...", not in `...`.
        assert.deepEqual(splitSqlStatements("SELECT `a\\`; SELECT 'b'"), ["SELECT `a\\`", "SELECT 'b'"]);
    });
});

describe("top-level comma splitting", () => {
    it("keeps commas inside brackets and quotes, trims parts, drops an empty tail", () => {
        assert.deepEqual(splitTopLevel("a INT, b DECIMAL(10, 2), c VARCHAR(5) DEFAULT 'x,y', "), ["a INT", "b DECIMAL(10, 2)", "c VARCHAR(5) DEFAULT 'x,y'"]);
        assert.deepEqual(splitTopLevel("s STRUCT<a INT, b STRING>, t INT", "()<>"), ["s STRUCT<a INT, b STRING>", "t INT"]);
        assert.deepEqual(splitTopLevel("s STRUCT<a INT, b STRING>, t INT"), ["s STRUCT<a INT", "b STRING>", "t INT"]);
        assert.deepEqual(splitTopLevel('`a,b` INT, "c,d" INT'), ["`a,b` INT", '"c,d" INT']);
        assert.deepEqual(splitTopLevel("f(a, (b, c)), d"), ["f(a, (b, c))", "d"]);
        assert.deepEqual(splitTopLevel("'a,b', c", "()", '"'), ["'a", "b'", "c"]);
        assert.deepEqual(splitTopLevel(""), []);
    });
});

describe("the effective schema file is parsed once per version", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fs = require("fs") as typeof import("fs");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const os = require("os") as typeof import("os");
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const path = require("path") as typeof import("path");

    it("returns the parsed snapshot until the file changes, then reads the new one", () => {
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "schema-snapshot-"));
        const file = path.join(root, "sql", "mysql", "effective-schema.json");
        fs.mkdirSync(path.dirname(file), { recursive: true });
        try {
            fs.writeFileSync(file, JSON.stringify({ comment: "v1", domains: {} }));
            const first = readSchemaSnapshot(root);
            assert.equal(readSchemaSnapshot(root), first, "the same parsed object, not a new parse");
            fs.writeFileSync(file, JSON.stringify({ comment: "v2", domains: {} }));
            fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
            assert.equal(readSchemaSnapshot(root).comment, "v2");
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });
});

// The edges the mutation report of ddl.ts left open (issue 24, item 3).
describe("SQL script splitting and the schema file: scanner edges", () => {
    it("a * that does not follow / is arithmetic or a column list, not a comment", () => {
        assert.deepEqual(splitSqlStatements("SELECT * FROM t; SELECT 2*3; SELECT a *b FROM t"), ["SELECT * FROM t", "SELECT 2*3", "SELECT a *b FROM t"]);
    });

    it("a comment's end is searched after its opening /*, so /*/ does not close it", () => {
        assert.deepEqual(splitSqlStatements("SELECT 1 /*/ ; */ + 2; SELECT 3"), ["SELECT 1   + 2", "SELECT 3"]);
        assert.deepEqual(splitSqlStatements("SELECT 1 */ 2 /**/; SELECT 3"), ["SELECT 1 */ 2", "SELECT 3"]);
    });

    it("a backslash as the very last character inside a quote adds nothing after it", () => {
        assert.deepEqual(splitSqlStatements("SELECT 'a\\"), ["SELECT 'a\\"]);
        assert.deepEqual(splitSqlStatements('SELECT "b\\'), ['SELECT "b\\']);
    });

    it("a schema file that is not JSON fails naming the file, the parser's reason and the command that renews it", () => {
        const fs = require("fs") as typeof import("fs"); // eslint-disable-line @typescript-eslint/no-require-imports
        const os = require("os") as typeof import("os"); // eslint-disable-line @typescript-eslint/no-require-imports
        const path = require("path") as typeof import("path"); // eslint-disable-line @typescript-eslint/no-require-imports
        const root = fs.mkdtempSync(path.join(os.tmpdir(), "schema-snapshot-"));
        try {
            assert.throws(() => readSchemaSnapshot(root), (err: Error) => err.message === "sql/mysql/effective-schema.json: not found; create it with npm run schema:check -- --write");
            fs.mkdirSync(path.join(root, "sql", "mysql"), { recursive: true });
            fs.writeFileSync(path.join(root, "sql", "mysql", "effective-schema.json"), "{ not json");
            for (let attempt = 0; attempt < 2; attempt++) {
                assert.throws(
                    () => readSchemaSnapshot(root),
                    (err: Error) => /^sql\/mysql\/effective-schema\.json: not valid JSON \(.+\); renew it with npm run schema:check -- --write$/.test(err.message),
                    `attempt ${attempt + 1}: a bad file is never cached as a snapshot`,
                );
            }
        } finally {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("a composite key that differs is named column by column on both sides", () => {
        const table = { name: "items", columns: [], primaryKey: ["order_id", "line_no"], references: [] };
        assert.deepEqual(catalogDdlMismatches([{ name: "sap", tables: [{ name: "items", primaryKey: ["order_id", "item_no"] }] }], () => [table]), [
            "sap.items (sql/mysql/sap/): catalog key (order_id, item_no) differs from DDL key (order_id, line_no)",
        ]);
    });
});
