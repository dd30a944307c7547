// The catalog's sources bootstrapped on the shared throwaway MariaDB, as the cloud bootstrap
// would do on RDS: an admin account like the RDS master user, then the SQL bootstrap.
import { randomBytes } from "crypto";
import { DOMAINS } from "../../components/catalog";
import { applyBootstrap, BootstrapSpec, MySqlEndpoint, bootstrapDatabases, connectMySql } from "../../components/source";
import { splitSqlStatements } from "../../components/ddl";
import { MariaDb, sharedMariaDb } from "./mariadb";

export const ADMIN_USER = "lifesci_admin";
export const CDC_USER = "lifesci_cdc";
// Generated per run, like the stack's random passwords; never literals.
export const ADMIN_PASSWORD = randomBytes(18).toString("base64url");
export const CDC_PASSWORD = randomBytes(18).toString("base64url");

export function bootstrapSpec(server: MariaDb, overrides: Partial<BootstrapSpec> = {}): BootstrapSpec {
    return {
        host: server.host,
        port: server.port,
        adminUser: ADMIN_USER,
        adminPassword: ADMIN_PASSWORD,
        tls: "verify_identity",
        caPem: server.caPem,
        databases: bootstrapDatabases(DOMAINS, true),
        cdcUser: CDC_USER,
        cdcHost: "%",
        cdcPassword: CDC_PASSWORD,
        requireTls: true,
        binlogRetentionHours: 24,
        ...overrides,
    };
}

export function adminEndpoint(server: MariaDb): MySqlEndpoint {
    return { host: server.host, port: server.port, user: ADMIN_USER, password: ADMIN_PASSWORD, tls: "verify_identity", caPem: server.caPem };
}

export function cdcEndpoint(server: MariaDb, password = CDC_PASSWORD): MySqlEndpoint {
    return { host: server.host, port: server.port, user: CDC_USER, password, tls: "verify_identity", caPem: server.caPem };
}

let ready: Promise<MariaDb> | undefined;

/** The shared server with an admin account and the bootstrap applied once. */
export function bootstrappedSources(): Promise<MariaDb> {
    ready ??= (async () => {
        const server = await sharedMariaDb();
        await server.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [ADMIN_USER, ADMIN_PASSWORD]);
        await server.query("GRANT ALL PRIVILEGES ON *.* TO ?@'%' WITH GRANT OPTION", [ADMIN_USER]);
        await applyBootstrap(bootstrapSpec(server));
        return server;
    })();
    return ready;
}

/**
 * Recreates tables a test dropped, from the domain's baseline migration (CREATE TABLE IF NOT
 * EXISTS): the bootstrap does not repair drift, it applies migrations once.
 */
export async function restoreBaseline(server: MariaDb, domain: string): Promise<void> {
    const d = DOMAINS.find((x) => x.name === domain)!;
    const [baseline] = bootstrapDatabases([d], false)[0].migrations;
    const conn = await connectMySql({ ...server.rootEndpoint, database: d.database });
    try {
        for (const statement of splitSqlStatements(baseline.sql)) await conn.query(statement);
    } finally {
        await conn.end();
    }
}
