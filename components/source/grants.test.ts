// SHOW GRANTS lines as MySQL 8 and MariaDB print them, read completely (table, column, routine,
// role, proxy grants and the grant/admin option), and the REVOKE plan that removes what is extra.
import { strict as assert } from "assert";
import { grantDatabasePattern, grantPatternCovers, grantRevocations, hasPrivilege, parseGrantLines, parseGrants } from "./mysqlClient";

const desired = new Map<string, Set<string>>([
    ["*", new Set(["RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", "REPLICATION CLIENT"])],
    ["lims", new Set(["SELECT", "LOCK TABLES"])],
]);
const plan = (lines: string[]) => grantRevocations(parseGrantLines(lines), desired).map((r) => r.sql);

describe("grants: SHOW GRANTS read completely", () => {
    it("reads every level with its target as printed, the database, column lists and the grant option", () => {
        const lines = parseGrantLines([
            "GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO `lifesci_cdc`@`%` IDENTIFIED BY PASSWORD '*D640F3DC' REQUIRE SSL WITH GRANT OPTION",
            "GRANT SELECT, LOCK TABLES ON `lims`.* TO `lifesci_cdc`@`%`",
            "GRANT INSERT ON `lims`.`samples` TO `lifesci_cdc`@`%`",
            "GRANT SELECT (`sample_id`, `plant`), UPDATE (`plant`) ON `lims`.`samples` TO `lifesci_cdc`@`%` WITH GRANT OPTION",
            "GRANT EXECUTE ON PROCEDURE `mes`.`close_batch` TO `lifesci_cdc`@`%`",
            "GRANT `auditor` TO `lifesci_cdc`@`%`",
            "GRANT `r1`@`%`,`r2`@`%` TO `lifesci_cdc`@`%` WITH ADMIN OPTION",
            "GRANT PROXY ON ''@'%' TO 'lifesci_cdc'@'%'",
            "SET DEFAULT ROLE `auditor` FOR `lifesci_cdc`@`%`",
        ]);
        assert.deepEqual(
            lines.map((l) => [l.kind, l.level, l.on, l.database, l.grantOption]),
            [
                ["privileges", "global", "*.*", undefined, true],
                ["privileges", "database", "`lims`.*", "lims", false],
                ["privileges", "table", "`lims`.`samples`", "lims", false],
                ["privileges", "table", "`lims`.`samples`", "lims", true],
                ["privileges", "routine", "PROCEDURE `mes`.`close_batch`", "mes", false],
                ["roles", "roles", "", undefined, false],
                ["roles", "roles", "", undefined, true],
                ["proxy", "proxy", "''@'%'", undefined, false],
            ],
        );
        assert.deepEqual(lines[0].privileges.map((p) => p.name), ["RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", "REPLICATION CLIENT"], "BINLOG MONITOR is REPLICATION CLIENT");
        assert.deepEqual(lines[3].privileges, [{ name: "SELECT", columns: ["sample_id", "plant"] }, { name: "UPDATE", columns: ["plant"] }]);
        assert.deepEqual(lines[6].roles, ["`r1`@`%`", "`r2`@`%`"]);
        assert.equal(lines[0].grantOption, true, "the password hash in the line does not hide the option");
    });

    it("a quoted identifier with spaces, dots or keywords stays one identifier", () => {
        const [line] = parseGrantLines(["GRANT SELECT (`a b`, `c``d`) ON `my db`.`t.x` TO `u`@`%`"]);
        assert.deepEqual([line.level, line.database, line.on, line.privileges[0].columns], ["table", "my db", "`my db`.`t.x`", ["a b", "c`d"]]);
    });

    it("fails naming the line when it cannot read it", () => {
        assert.throws(() => parseGrantLines(["GRANT SELECT ON `lims`.* `lifesci_cdc`@`%`"]), /no TO clause.*GRANT SELECT ON/);
    });
});

describe("grants: the REVOKE plan", () => {
    it("the exact CDC grants need nothing", () => {
        assert.deepEqual(
            plan([
                "GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO `lifesci_cdc`@`%`",
                "GRANT SELECT, LOCK TABLES ON `lims`.* TO `lifesci_cdc`@`%`",
            ]),
            [],
        );
    });

    it("revokes each extra kind: privilege, table, column, routine, role, proxy, grant and admin option", () => {
        assert.deepEqual(
            plan([
                "GRANT RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, PROCESS ON *.* TO `lifesci_cdc`@`%` WITH GRANT OPTION",
                "GRANT SELECT, LOCK TABLES, DELETE ON `lims`.* TO `lifesci_cdc`@`%`",
                "GRANT SELECT ON `mes`.* TO `lifesci_cdc`@`%`",
                "GRANT INSERT ON `lims`.`samples` TO `lifesci_cdc`@`%`",
                "GRANT SELECT (`plant`) ON `lims`.`samples` TO `lifesci_cdc`@`%`",
                "GRANT EXECUTE ON PROCEDURE `mes`.`close_batch` TO `lifesci_cdc`@`%`",
                "GRANT `auditor` TO `lifesci_cdc`@`%` WITH ADMIN OPTION",
                "GRANT PROXY ON ''@'%' TO 'lifesci_cdc'@'%'",
            ]),
            [
                "REVOKE PROCESS ON *.* FROM ?@?",
                "REVOKE GRANT OPTION ON *.* FROM ?@?",
                "REVOKE DELETE ON `lims`.* FROM ?@?",
                "REVOKE SELECT ON `mes`.* FROM ?@?",
                "REVOKE INSERT ON `lims`.`samples` FROM ?@?",
                "REVOKE SELECT (`plant`) ON `lims`.`samples` FROM ?@?",
                "REVOKE EXECUTE ON PROCEDURE `mes`.`close_batch` FROM ?@?",
                "REVOKE `auditor` FROM ?@?",
                "REVOKE PROXY ON ''@'%' FROM ?@?",
            ],
        );
    });

    it("ALL PRIVILEGES on a captured database is revoked whole (the sync grants the CDC set back)", () => {
        assert.deepEqual(plan(["GRANT ALL PRIVILEGES ON `lims`.* TO `lifesci_cdc`@`%`"]), ["REVOKE ALL PRIVILEGES ON `lims`.* FROM ?@?"]);
    });
});

describe("database-level GRANT patterns (issue 22, item 12)", () => {
    it("escapes _ and % so a grant names exactly its database", () => {
        assert.equal(grantDatabasePattern("sap_orders"), "sap\\_orders");
        assert.equal(grantDatabasePattern("a%b\\c"), "a\\%b\\\\c");
        assert.ok(grantPatternCovers(grantDatabasePattern("sap_orders"), "sap_orders"));
        assert.ok(!grantPatternCovers(grantDatabasePattern("sap_orders"), "sapXorders"));
        // What an unescaped grant would have done:
        assert.ok(grantPatternCovers("sap_orders", "sapXorders"));
        assert.ok(grantPatternCovers("lims%", "lims_archive") && !grantPatternCovers("lims", "lims_archive"));
    });

    it("hasPrivilege reads a database's privileges through the pattern that covers it", () => {
        const grants = parseGrants(["GRANT SELECT, LOCK TABLES ON `sap\\_orders`.* TO `lifesci_cdc`@`%`"]);
        assert.ok(hasPrivilege(grants, "SELECT", "sap_orders"));
        assert.ok(!hasPrivilege(grants, "SELECT", "sapXorders"));
    });
});
