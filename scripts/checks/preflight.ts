// CDC preflight: proves that a MySQL/MariaDB server can feed the CDC connector before any
// stream is built. Each check reports what it saw, what it needs and how to fix it.
import type * as mysql from "mysql2/promise";
import { DOMAINS, Domain } from "../../components/catalog";
import {
    CDC_DATABASE_PRIVILEGES,
    CDC_GLOBAL_PRIVILEGES,
    mySqlAccessError,
    MySqlEndpoint,
    ServerInfo,
    connectMySql,
    detectServer,
    globalVariables,
    hasPrivilege,
    parseGrants,
    rdsBinlogRetentionHours,
    showGrants,
} from "../../components/source/pure";

export type CheckStatus = "pass" | "fail" | "warn";

export interface CheckResult {
    id: string;
    title: string;
    status: CheckStatus;
    observed: string;
    expected: string;
    /** How to fix it; empty when the check passed. */
    fix: string;
}

export interface PreflightOptions {
    endpoint: MySqlEndpoint;
    /** Catalog databases to check; all catalog domains when omitted. */
    databases?: string[];
    /** Binlogs must outlive a connector outage this long. */
    minBinlogRetentionHours: number;
    /** Whose grants to check; the connecting user when omitted. */
    cdcAccount?: { name: string; host: string };
}

export interface PreflightReport {
    server: ServerInfo;
    checks: CheckResult[];
    /** True when every required check passed (warnings allowed). */
    ok: boolean;
}

/** Resolves `--databases` against the catalog; an unknown name is a usage error. */
export function selectDomains(databases?: string[]): Domain[] {
    if (!databases || databases.length === 0) return [...DOMAINS];
    return databases.map((name) => {
        const domain = DOMAINS.find((d) => d.database === name);
        if (!domain) {
            throw mySqlAccessError(`unknown database "${name}": the catalog captures ${DOMAINS.map((d) => d.database).join(", ")}`);
        }
        return domain;
    });
}

const check = (id: string, title: string, ok: boolean, observed: string, expected: string, fix: string, soft = false): CheckResult => ({
    id,
    title,
    status: ok ? "pass" : soft ? "warn" : "fail",
    observed,
    expected,
    fix: ok ? "" : fix,
});

/** Binlog retention in hours from the non-RDS settings; Infinity when binlogs never expire. */
export function retentionFromVariables(vars: Record<string, string>): number {
    const seconds = Number(vars.binlog_expire_logs_seconds ?? 0);
    const days = Number(vars.expire_logs_days ?? 0);
    if (seconds > 0) return seconds / 3600;
    if (days > 0) return days * 24;
    return Infinity;
}

async function tableChecks(conn: mysql.Connection, domains: Domain[]): Promise<CheckResult> {
    const problems: string[] = [];
    for (const domain of domains) {
        // STATISTICS, not TABLE_CONSTRAINTS: MariaDB hides constraints from SELECT-only accounts.
        const [tables] = await conn.query<mysql.RowDataPacket[]>(
            `SELECT t.TABLE_NAME AS name,
                    COUNT(s.INDEX_NAME) AS pk
               FROM information_schema.TABLES t
               LEFT JOIN information_schema.STATISTICS s
                 ON s.TABLE_SCHEMA = t.TABLE_SCHEMA AND s.TABLE_NAME = t.TABLE_NAME AND s.INDEX_NAME = 'PRIMARY'
              WHERE t.TABLE_SCHEMA = ?
              GROUP BY t.TABLE_NAME`,
            [domain.database],
        );
        const found = new Map(tables.map((t) => [String(t.name), Number(t.pk) > 0]));
        for (const table of domain.tables) {
            const qualified = `${domain.database}.${table.name}`;
            if (!found.has(table.name)) problems.push(`${qualified} missing`);
            else if (!found.get(table.name)) problems.push(`${qualified} has no primary key`);
        }
    }
    const count = domains.reduce((n, d) => n + d.tables.length, 0);
    return check(
        "tables",
        "captured tables exist with a primary key",
        problems.length === 0,
        problems.length === 0 ? `${count} table(s) ok` : problems.join("; "),
        "every catalog table present with a PRIMARY KEY",
        "run the SQL bootstrap (pulumi up) to create missing tables; add a PRIMARY KEY to keyless tables (CDC keys messages by it)",
    );
}

async function grantCheck(conn: mysql.Connection, options: PreflightOptions, domains: Domain[]): Promise<CheckResult> {
    const account = options.cdcAccount;
    const who = account ? `'${account.name}'@'${account.host}'` : "the connecting user";
    let lines: string[];
    try {
        lines = await showGrants(conn, account);
    } catch (err) {
        const e = err as { code?: string; message?: string };
        // MySQL and MariaDB: "There is no such grant defined for user … on host …" (1141).
        if (account && e.code === "ER_NONEXISTING_GRANT") {
            return check("cdc_grants", `CDC user grants (${who})`, false, `user ${who} does not exist on this server`, `${who} exists with the CDC grants`,
                `create it with the SQL bootstrap (pulumi up), or name the account as it exists: --cdc-user name@host (the host part defaults to %; SELECT user, host FROM mysql.user lists them)`);
        }
        if (account && /ACCESS_DENIED/.test(e.code ?? "")) {
            return check("cdc_grants", `CDC user grants (${who})`, false, `cannot read the grants of ${who}: ${e.message}`, "the grants readable",
                `run preflight as ${who} itself (--url mysql://${account.name}@host), or as a user with SELECT on mysql.*`);
        }
        throw err;
    }
    const grants = parseGrants(lines);
    const missing: string[] = [];
    for (const p of CDC_GLOBAL_PRIVILEGES) if (!hasPrivilege(grants, p)) missing.push(`${p} ON *.*`);
    for (const d of domains) {
        for (const p of CDC_DATABASE_PRIVILEGES) if (!hasPrivilege(grants, p, d.database)) missing.push(`${p} ON ${d.database}.*`);
    }
    const observed = [...grants].map(([scope, set]) => `${scope === "*" ? "*.*" : `${scope}.*`}: ${[...set].join(", ")}`).join("; ");
    return check(
        "cdc_grants",
        `CDC user grants (${who})`,
        missing.length === 0,
        missing.length === 0 ? observed : `missing ${missing.join(", ")}`,
        `${CDC_GLOBAL_PRIVILEGES.join(", ")} ON *.*; ${CDC_DATABASE_PRIVILEGES.join(", ")} ON each captured database`,
        `GRANT ${missing.join("; GRANT ")} TO ${who} (the SQL bootstrap does this)`,
    );
}

/** Runs every check; throws MySqlAccessError only when the server cannot be used at all. */
export async function runPreflight(options: PreflightOptions): Promise<PreflightReport> {
    const domains = selectDomains(options.databases);
    const conn = await connectMySql(options.endpoint);
    try {
        const server = await detectServer(conn);
        const vars = await globalVariables(conn, [
            "log_bin",
            "binlog_format",
            "binlog_row_image",
            "server_id",
            "gtid_mode",
            "enforce_gtid_consistency",
            "gtid_strict_mode",
            "binlog_expire_logs_seconds",
            "expire_logs_days",
            "have_ssl",
        ]);
        const checks: CheckResult[] = [];
        checks.push(check("log_bin", "binary log enabled", vars.log_bin === "ON", `log_bin=${vars.log_bin}`, "ON",
            server.isRds ? "turn on automated backups (backup retention >= 1 day); RDS enables the binlog with them" : "start the server with --log-bin"));
        checks.push(check("binlog_format", "row-based binlog", vars.binlog_format === "ROW", `binlog_format=${vars.binlog_format}`, "ROW",
            server.isRds ? "set binlog_format=ROW in the DB parameter group" : "SET GLOBAL binlog_format='ROW' and persist it in the server config"));
        checks.push(check("binlog_row_image", "full row images", vars.binlog_row_image === "FULL", `binlog_row_image=${vars.binlog_row_image}`, "FULL",
            server.isRds ? "set binlog_row_image=FULL in the DB parameter group" : "SET GLOBAL binlog_row_image='FULL' and persist it in the server config"));
        checks.push(check("server_id", "server id set", Number(vars.server_id) > 0, `server_id=${vars.server_id}`, "> 0", "set server_id to a unique non-zero value"));

        if (server.flavor === "mariadb") {
            checks.push(check("gtid_mode", "GTIDs", true, `MariaDB GTIDs always on (gtid_strict_mode=${vars.gtid_strict_mode})`, "ON", ""));
        } else {
            checks.push(check("gtid_mode", "GTIDs", vars.gtid_mode === "ON", `gtid_mode=${vars.gtid_mode ?? "n/a"}`, "ON (recommended)",
                "set gtid_mode=ON and enforce_gtid_consistency=ON so the connector can resume after failover", true));
        }

        const retention = server.isRds ? await rdsBinlogRetentionHours(conn) : retentionFromVariables(vars);
        const retentionText = server.isRds
            ? `RDS binlog retention hours=${retention ?? "NULL (purged as soon as possible)"}`
            : retention === Infinity
              ? "binlogs never expire"
              : `${retention} h (binlog_expire_logs_seconds=${vars.binlog_expire_logs_seconds ?? "n/a"}, expire_logs_days=${vars.expire_logs_days ?? "n/a"})`;
        checks.push(check("binlog_retention", "binlog retention covers a connector outage", (retention ?? 0) >= options.minBinlogRetentionHours,
            retentionText, `>= ${options.minBinlogRetentionHours} h`,
            server.isRds
                ? `CALL mysql.rds_set_configuration('binlog retention hours', ${options.minBinlogRetentionHours})`
                : `SET GLOBAL binlog_expire_logs_seconds=${options.minBinlogRetentionHours * 3600}`));

        checks.push(await grantCheck(conn, options, domains));
        checks.push(await tableChecks(conn, domains));

        const [[cipher]] = await conn.query<mysql.RowDataPacket[]>("SHOW SESSION STATUS LIKE 'Ssl_cipher'");
        const sessionCipher = cipher ? String(cipher.Value) : "";
        const tlsAvailable = vars.have_ssl === "YES" || sessionCipher !== "";
        checks.push(check("tls", "TLS available", tlsAvailable,
            sessionCipher ? `this session uses ${sessionCipher}` : `have_ssl=${vars.have_ssl ?? "n/a"}`, "TLS offered by the server",
            "configure ssl_cert/ssl_key on the server (RDS offers TLS by default); the connector uses database.ssl.mode=required"));

        return { server, checks, ok: checks.every((c) => c.status !== "fail") };
    } finally {
        await conn.end().catch(() => undefined);
    }
}

/** A plain-text table for humans. */
export function formatPreflight(report: PreflightReport): string {
    const rows = report.checks.map((c) => [c.status.toUpperCase(), c.id, c.observed, c.status === "pass" ? "" : `expected ${c.expected}; fix: ${c.fix}`]);
    const widths = [6, Math.max(...rows.map((r) => r[1].length), 5)];
    const lines = [`CDC preflight on ${report.server.flavor} ${report.server.version}${report.server.isRds ? " (RDS)" : ""}`];
    for (const [status, id, observed, advice] of rows) {
        lines.push(`${status.padEnd(widths[0])} ${id.padEnd(widths[1])}  ${observed}${advice ? `\n${" ".repeat(widths[0] + widths[1] + 3)}${advice}` : ""}`);
    }
    const failed = report.checks.filter((c) => c.status === "fail").length;
    lines.push(report.ok ? "result: ready for CDC" : `result: NOT ready for CDC (${failed} check(s) failed)`);
    return lines.join("\n");
}
