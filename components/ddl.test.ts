// The DDL reader and the SQL text helpers on literal inputs, with expectations written out
// (mutation testing of ddl.ts / sqlText.ts showed which decisions no test pinned down).
import { strict as assert } from "assert";
import { DdlParseError, parseDdl, readSqlFile, splitSqlStatements } from "./ddl";
import { splitTopLevel } from "./sqlText";

describe("DDL reader: columns, keys and references on literal DDL", () => {
    const [orders, items] = parseDdl(
        "x.sql",
        `-- header comment; with a semicolon
        /* block comment: CREATE TABLE ghost (a INT) */
        CREATE TABLE IF NOT EXISTS \`shop\`.\`orders\` (
            order_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, # trailing hash comment
            status ENUM('new','it''s done') NOT NULL DEFAULT 'new',
            amount DECIMAL(12, 3),
            note VARCHAR(200) NULL,
            updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
            PRIMARY KEY (order_id),
            UNIQUE KEY uq_status (status, amount),
            KEY idx_note (note(10)),
            INDEX idx_amount (amount),
            CONSTRAINT chk CHECK (amount >= 0)
        );
        create table items (
            order_id BIGINT NOT NULL,
            line_no INT NOT NULL,
            sku VARCHAR(40) NOT NULL,
            PRIMARY KEY (\`order_id\`, \`sku\`(20)),
            CONSTRAINT fk_order FOREIGN KEY (order_id) REFERENCES \`orders\` (order_id)
        );`,
    );

    it("reads tables (schema-qualified, IF NOT EXISTS, lower-case keywords) and skips comments", () => {
        assert.equal(orders.name, "orders");
        assert.equal(items.name, "items");
        assert.deepEqual(orders.columns.map((c) => c.name), ["order_id", "status", "amount", "note", "updated_at"]);
    });

    it("reads each column's type, arguments, flags and ENUM values", () => {
        const col = (name: string) => orders.columns.find((c) => c.name === name)!;
        assert.deepEqual(col("order_id"), {
            name: "order_id",
            type: "BIGINT",
            args: [],
            enumValues: undefined,
            unsigned: true,
            nullable: false,
            autoIncrement: true,
            hasDefault: false,
        });
        assert.deepEqual(col("status"), {
            name: "status",
            type: "ENUM",
            args: [],
            enumValues: ["new", "it''s done"],
            unsigned: false,
            nullable: false,
            autoIncrement: false,
            hasDefault: true,
        });
        assert.deepEqual([col("amount").type, col("amount").args, col("amount").nullable, col("amount").hasDefault], ["DECIMAL", [12, 3], true, false]);
        assert.deepEqual([col("note").type, col("note").args, col("note").nullable], ["VARCHAR", [200], true]);
        assert.deepEqual([col("updated_at").type, col("updated_at").args, col("updated_at").hasDefault, col("updated_at").nullable], ["DATETIME", [3], true, false]);
    });

    it("reads primary keys (prefix lengths dropped), skips constraint lines, collects foreign-key references", () => {
        assert.deepEqual(orders.primaryKey, ["order_id"]);
        assert.deepEqual(items.primaryKey, ["order_id", "sku"]);
        assert.deepEqual(orders.references, []);
        assert.deepEqual(items.references, ["orders"]);
    });

    it("an inline PRIMARY KEY makes the column the key and NOT NULL", () => {
        const [t] = parseDdl("x.sql", "CREATE TABLE t (id INT PRIMARY KEY, v INT)");
        assert.deepEqual(t.primaryKey, ["id"]);
        assert.equal(t.columns[0].nullable, false);
        assert.equal(t.columns[1].nullable, true);
        assert.deepEqual(parseDdl("x.sql", "CREATE TABLE t (v INT)")[0].primaryKey, []);
    });

    it("fails naming file, table and column on what it cannot read", () => {
        assert.throws(() => parseDdl("x.sql", "CREATE TABLE t (a DECIMAL(10,x))"), (err: Error) => err instanceof DdlParseError && err.message === 'x.sql: table t: column a has bad type arguments "(10,x)"');
        assert.throws(() => parseDdl("x.sql", "CREATE TABLE t (a INT, 'oops')"), (err: Error) => /^x\.sql: table t: cannot read column definition "'oops'"$/.test(err.message));
        assert.throws(() => readSqlFile("nope.sql"), (err: Error) => err.message === "sql/mysql/nope.sql: file not found");
        assert.deepEqual(parseDdl("x.sql", "-- nothing here\nSELECT 1;"), []);
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
