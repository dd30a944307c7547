// Talking to a MySQL-compatible server: connections with clear one-line errors, what kind of
// server it is (MySQL, MariaDB, RDS), and SHOW GRANTS parsing. Shared by the SQL bootstrap
// provider, the CDC preflight and the CDC smoke test.
import type * as mysql from "mysql2/promise";

export type TlsMode = "disabled" | "required" | "verify_ca";

export interface MySqlEndpoint {
    host: string;
    port: number;
    user: string;
    password?: string;
    database?: string;
    /** `required`: encrypt without verifying the certificate; `verify_ca`: verify against `caPem`. */
    tls: TlsMode;
    caPem?: string;
    connectTimeoutMs?: number;
}

/**
 * An error meant for an operator: one line, no stack trace, no secrets. A plain Error with a
 * name, not a subclass: the SQL bootstrap runs in Pulumi's dynamic-provider host, and the closure
 * serializer turns `class extends Error` into a function calling `Error.call(this, message)`,
 * which loses the message (the engine would print "undefined").
 */
export interface MySqlAccessError extends Error {
    name: "MySqlAccessError";
    code?: string;
}

export function mySqlAccessError(message: string, code?: string): MySqlAccessError {
    return Object.assign(new Error(message), { name: "MySqlAccessError" as const, code });
}

export function isMySqlAccessError(err: unknown): err is MySqlAccessError {
    return err instanceof Error && err.name === "MySqlAccessError";
}

/** Replaces every secret occurring in `text` with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
    let out = text;
    for (const secret of secrets) {
        if (secret) out = out.split(secret).join("***");
    }
    return out;
}

/** Turns driver errors into one clear line naming what failed. */
export function describeConnectError(err: unknown, endpoint: MySqlEndpoint): MySqlAccessError {
    const e = err as { code?: string; message?: string; sqlMessage?: string };
    const where = `${endpoint.host}:${endpoint.port}`;
    const detail = redact(e.sqlMessage ?? e.message ?? String(err), [endpoint.password]);
    switch (e.code) {
        case "ECONNREFUSED":
        case "EHOSTUNREACH":
        case "ENETUNREACH":
            return mySqlAccessError(`cannot reach MySQL at ${where}: connection refused or unreachable (${e.code})`, e.code);
        case "ENOTFOUND":
        case "EAI_AGAIN":
            return mySqlAccessError(`cannot resolve MySQL host "${endpoint.host}" (${e.code})`, e.code);
        case "ETIMEDOUT":
            return mySqlAccessError(`timed out connecting to MySQL at ${where}`, e.code);
        case "ER_ACCESS_DENIED_ERROR":
        case "ER_DBACCESS_DENIED_ERROR":
            return mySqlAccessError(`access denied for user "${endpoint.user}" at ${where}: ${detail}`, e.code);
        case "ER_BAD_DB_ERROR":
            return mySqlAccessError(`unknown database "${endpoint.database}" at ${where}`, e.code);
        case "HANDSHAKE_NO_SSL_SUPPORT":
            return mySqlAccessError(`MySQL at ${where} does not offer TLS (tls=${endpoint.tls})`, e.code);
        default:
            return mySqlAccessError(`cannot connect to MySQL at ${where}: ${detail}`, e.code);
    }
}

/** Opens a connection; the driver is loaded here so dynamic providers serialize cleanly. */
export async function connectMySql(endpoint: MySqlEndpoint): Promise<mysql.Connection> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const driver = require("mysql2/promise") as typeof mysql;
    const ssl =
        endpoint.tls === "disabled"
            ? undefined
            : endpoint.tls === "verify_ca"
              ? { ca: endpoint.caPem, rejectUnauthorized: true }
              : { rejectUnauthorized: false };
    try {
        return await driver.createConnection({
            host: endpoint.host,
            port: endpoint.port,
            user: endpoint.user,
            password: endpoint.password,
            database: endpoint.database,
            ssl,
            connectTimeout: endpoint.connectTimeoutMs ?? 10_000,
            multipleStatements: false,
            dateStrings: true,
        });
    } catch (err) {
        throw describeConnectError(err, endpoint);
    }
}

/** Parses `mysql://user[:password]@host[:port][/database]`; a password in the URL is refused. */
export function parseMySqlUrl(url: string): { host: string; port: number; user: string; database?: string } {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        throw mySqlAccessError(`--url: not a URL: "${url}" (expected mysql://user@host:port)`);
    }
    if (parsed.protocol !== "mysql:") throw mySqlAccessError(`--url: must start with mysql:// (got ${parsed.protocol}//)`);
    if (parsed.password) {
        throw mySqlAccessError("--url: do not put the password in the URL (it ends up in shell history); use --password-env VAR");
    }
    if (!parsed.username) throw mySqlAccessError("--url: needs a user, e.g. mysql://lifesci_cdc@host:3306");
    if (!parsed.hostname) throw mySqlAccessError("--url: needs a host");
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || undefined;
    return {
        host: parsed.hostname,
        port: parsed.port ? Number(parsed.port) : 3306,
        user: decodeURIComponent(parsed.username),
        database,
    };
}

export interface ServerInfo {
    flavor: "mysql" | "mariadb";
    version: string;
    /** Amazon RDS: detected by its configuration procedure, never guessed from the host name. */
    isRds: boolean;
}

export async function detectServer(conn: mysql.Connection): Promise<ServerInfo> {
    const [[row]] = await conn.query<mysql.RowDataPacket[]>("SELECT VERSION() AS version");
    const version = String(row.version);
    const [procs] = await conn.query<mysql.RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = 'mysql' AND ROUTINE_NAME = 'rds_set_configuration'",
    );
    return {
        flavor: /mariadb/i.test(version) ? "mariadb" : "mysql",
        version,
        isRds: Number(procs[0].n) > 0,
    };
}

/** Global variables by name (upper-cased keys are not used: names as the server reports them). */
export async function globalVariables(conn: mysql.Connection, names: readonly string[]): Promise<Record<string, string>> {
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
        `SHOW GLOBAL VARIABLES WHERE Variable_name IN (${names.map(() => "?").join(", ")})`,
        [...names],
    );
    return Object.fromEntries(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
}

/** RDS `binlog retention hours`, or null when RDS purges binlogs as soon as it can. */
export async function rdsBinlogRetentionHours(conn: mysql.Connection): Promise<number | null> {
    const [result] = await conn.query<mysql.RowDataPacket[][]>("CALL mysql.rds_show_configuration");
    const rows = Array.isArray(result[0]) ? (result[0] as mysql.RowDataPacket[]) : (result as unknown as mysql.RowDataPacket[]);
    const row = rows.find((r) => String(r.name).toLowerCase() === "binlog retention hours");
    return row && row.value !== null && row.value !== undefined ? Number(row.value) : null;
}

// ---- grants ----------------------------------------------------------------------------------

/** Privileges the CDC user needs on every server (global scope). */
export const CDC_GLOBAL_PRIVILEGES = ["RELOAD", "SHOW DATABASES", "REPLICATION SLAVE", "REPLICATION CLIENT"] as const;
/** Privileges the CDC user needs on each captured database; LOCK TABLES serves RDS snapshots. */
export const CDC_DATABASE_PRIVILEGES = ["SELECT", "LOCK TABLES"] as const;

/** MariaDB 10.5+ prints REPLICATION CLIENT back as BINLOG MONITOR; compare under the MySQL name. */
const PRIVILEGE_ALIASES: Record<string, string> = {
    "BINLOG MONITOR": "REPLICATION CLIENT",
};

/** Privileges per scope: `*` for global, otherwise a database name. */
export type GrantMap = Map<string, Set<string>>;

/** Parses `SHOW GRANTS` lines into privileges per scope (table/column-level grants are ignored). */
export function parseGrants(lines: readonly string[]): GrantMap {
    const grants: GrantMap = new Map();
    for (const line of lines) {
        const m = /^GRANT\s+(.+?)\s+ON\s+(\S+)\s+TO\s+/i.exec(line.trim());
        if (!m) continue;
        const [, privilegeList, target] = m;
        const scopeMatch = /^(\*|`?([^`.]+)`?)\.(\*|`?[^`]+`?)$/.exec(target);
        if (!scopeMatch || scopeMatch[3] !== "*") continue; // table-level grant
        const scope = scopeMatch[1] === "*" ? "*" : scopeMatch[2];
        const set = grants.get(scope) ?? new Set<string>();
        for (const raw of privilegeList.split(",")) {
            const privilege = raw.trim().toUpperCase().replace(/\s+/g, " ");
            if (privilege.includes("(")) continue; // column-level
            set.add(PRIVILEGE_ALIASES[privilege] ?? (privilege === "ALL" ? "ALL PRIVILEGES" : privilege));
        }
        grants.set(scope, set);
    }
    return grants;
}

/** True when `privilege` is granted globally or on `database` (ALL PRIVILEGES counts). */
export function hasPrivilege(grants: GrantMap, privilege: string, database?: string): boolean {
    const scopes = database ? ["*", database] : ["*"];
    return scopes.some((s) => grants.get(s)?.has(privilege) || grants.get(s)?.has("ALL PRIVILEGES"));
}

export async function showGrants(conn: mysql.Connection, user?: { name: string; host: string }): Promise<string[]> {
    const [rows] = user
        ? await conn.query<mysql.RowDataPacket[]>("SHOW GRANTS FOR ?@?", [user.name, user.host])
        : await conn.query<mysql.RowDataPacket[]>("SHOW GRANTS");
    return rows.map((r) => String(Object.values(r)[0]));
}
