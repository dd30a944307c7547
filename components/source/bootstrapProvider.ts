// SQL bootstrap of a CDC source, as a dynamic provider (no Pulumi provider manages users,
// grants and DDL on RDS MySQL well): captured databases with their DDL, the CDC user with
// exactly the privileges the connector needs, and RDS binlog retention. Idempotent: a second
// run with the same inputs changes nothing. Delete revokes and drops the user, never a database.
import * as pulumi from "@pulumi/pulumi";
import type * as mysql from "mysql2/promise";
import { splitSqlStatements } from "../ddl";
import { MigrationFile, applyMigrations, migrationChecksum, readHistory, versionLabel } from "./migrations";
import { SIGNAL_TABLE, signalTableDdl } from "./snapshotSignal";
import {
    CDC_DATABASE_PRIVILEGES,
    CDC_GLOBAL_PRIVILEGES,
    isMySqlAccessError,
    mySqlAccessError,
    MySqlEndpoint,
    ServerInfo,
    TlsMode,
    connectMySql,
    detectServer,
    grantDatabasePattern,
    grantRevocations,
    parseGrantLines,
    parseGrants,
    rdsBinlogRetentionHours,
    redact,
    showGrants,
} from "./mysqlClient";

export interface BootstrapDatabase {
    name: string;
    /** sql/mysql/<domain>/V###__*.sql in version order (components/source/migrations.ts). */
    migrations: MigrationFile[];
    /** Optional INSERT IGNORE seed data (sql/mysql/<domain>/seed.sql; never in prod). */
    seed?: string;
}

export interface BootstrapSpec {
    host: string;
    port: number;
    adminUser: string;
    adminPassword: string;
    tls: TlsMode;
    caPem?: string;
    databases: BootstrapDatabase[];
    cdcUser: string;
    /** Host part of the CDC account, `%` unless the network is known. */
    cdcHost: string;
    cdcPassword: string;
    /** The CDC account may only connect over TLS. */
    requireTls: boolean;
    /** Applied with mysql.rds_set_configuration on RDS only. */
    binlogRetentionHours: number;
}

export interface BootstrapResult {
    server: ServerInfo;
    /** `database V### checksum file` of every applied migration after the run. */
    migrations: string[];
    /** What this run changed, in order; empty when everything was already in place. */
    actions: string[];
    /** The CDC user's grants after the run, as the server prints them. */
    grants: string[];
}

const quoteId = (name: string) => `\`${name.replace(/`/g, "``")}\``;

function adminEndpoint(spec: BootstrapSpec): MySqlEndpoint {
    return { host: spec.host, port: spec.port, user: spec.adminUser, password: spec.adminPassword, tls: spec.tls, caPem: spec.caPem };
}

/** Runs `fn` on an admin connection; errors come back as one redacted line. */
async function withAdmin<T>(spec: BootstrapSpec, fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
    const conn = await connectMySql(adminEndpoint(spec));
    try {
        return await fn(conn);
    } catch (err) {
        if (isMySqlAccessError(err)) throw err;
        const e = err as { message?: string; sql?: string };
        const statement = e.sql ? ` (while running: ${e.sql.slice(0, 200)})` : "";
        throw mySqlAccessError(redact(`bootstrap of ${spec.host}:${spec.port} failed: ${e.message}${statement}`, [spec.adminPassword, spec.cdcPassword]));
    } finally {
        await conn.end().catch(() => undefined);
    }
}

async function userExists(conn: mysql.Connection, user: string, host: string): Promise<boolean> {
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM mysql.user WHERE User = ? AND Host = ?", [user, host]);
    return Number(rows[0].n) > 0;
}

/** True when the CDC user can already log in with the desired password. */
async function passwordMatches(spec: BootstrapSpec): Promise<boolean> {
    try {
        const conn = await connectMySql({ host: spec.host, port: spec.port, user: spec.cdcUser, password: spec.cdcPassword, tls: spec.tls === "disabled" ? "disabled" : spec.tls, caPem: spec.caPem });
        await conn.end();
        return true;
    } catch {
        return false;
    }
}

/**
 * Creates databases, the signal table, applies pending migrations (history + checksums, see
 * source/migrations.ts) and seed rows; records only what actually changed.
 */
async function applySchema(conn: mysql.Connection, spec: BootstrapSpec, actions: string[]): Promise<void> {
    for (const db of spec.databases) {
        const [existing] = await conn.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?", [db.name]);
        if (Number(existing[0].n) === 0) {
            await conn.query(`CREATE DATABASE ${quoteId(db.name)} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
            actions.push(`create database ${db.name}`);
        }
        const [signal] = await conn.query<mysql.RowDataPacket[]>("SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", [db.name, SIGNAL_TABLE]);
        if (Number(signal[0].n) === 0) {
            await conn.query(signalTableDdl(db.name));
            actions.push(`create signal table ${db.name}.${SIGNAL_TABLE}`);
        }
        actions.push(...(await applyMigrations(conn, db.name, db.migrations)));
        await conn.query(`USE ${quoteId(db.name)}`);
        for (const statement of splitSqlStatements(db.seed ?? "")) {
            const [result] = await conn.query<mysql.ResultSetHeader>(statement);
            if (result.affectedRows > 0) actions.push(`seed ${db.name}: ${result.affectedRows} row(s)`);
        }
    }
}

/** `database version checksum` of every applied migration, for the state (and preview-time checks). */
async function appliedMigrations(conn: mysql.Connection, databases: readonly BootstrapDatabase[]): Promise<string[]> {
    const applied: string[] = [];
    for (const db of databases) {
        for (const row of await readHistory(conn, db.name)) {
            if (row.status === "applied") applied.push(`${db.name} ${versionLabel(row.version)} ${row.checksum} ${row.file}`);
        }
    }
    return applied;
}

/**
 * The grants the CDC user must end up with, per scope (`*` = global; a database scope is its
 * escaped GRANT pattern, so `sap_orders` is granted as `sap\_orders` and never covers `sapXorders`).
 */
export function desiredCdcGrants(databases: readonly string[]): Map<string, Set<string>> {
    const desired = new Map<string, Set<string>>([["*", new Set<string>(CDC_GLOBAL_PRIVILEGES)]]);
    for (const db of databases) desired.set(grantDatabasePattern(db), new Set<string>(CDC_DATABASE_PRIVILEGES));
    return desired;
}

/**
 * Brings the CDC user's grants to exactly the desired set: every extra privilege, table, column
 * and routine grant, granted role, proxy right and grant/admin option is revoked (read from a full
 * parse of SHOW GRANTS), then missing CDC privileges are granted.
 */
async function syncGrants(conn: mysql.Connection, spec: BootstrapSpec, actions: string[]): Promise<void> {
    const account = [spec.cdcUser, spec.cdcHost];
    const desired = desiredCdcGrants(spec.databases.map((d) => d.name));
    const lines = parseGrantLines(await showGrants(conn, { name: spec.cdcUser, host: spec.cdcHost }));
    // The signal tables' watermark grants (grantSignalTable) are the only table grants kept.
    const keep = new Map([...desired, ...signalTableGrants(spec.databases.map((d) => d.name))]);
    for (const revoke of grantRevocations(lines, keep)) {
        await conn.query(revoke.sql, account);
        actions.push(revoke.what);
    }
    const current = parseGrants(await showGrants(conn, { name: spec.cdcUser, host: spec.cdcHost }));
    const scopeSql = (scope: string) => (scope === "*" ? "*.*" : `${quoteId(scope)}.*`);
    for (const [scope, privileges] of desired) {
        const have = current.get(scope) ?? new Set<string>();
        const missing = [...privileges].filter((p) => !have.has(p));
        if (missing.length > 0) {
            await conn.query(`GRANT ${missing.join(", ")} ON ${scopeSql(scope)} TO ?@?`, account);
            actions.push(`grant ${missing.join(", ")} on ${scopeSql(scope)}`);
        }
    }
}

/** Table grants the CDC user keeps: INSERT, DELETE on each captured database's signal table. */
export function signalTableGrants(databases: readonly string[]): Map<string, Set<string>> {
    return new Map(databases.map((db) => [`${db}.${SIGNAL_TABLE}`, new Set<string>(["INSERT", "DELETE"])]));
}

/**
 * Incremental snapshots write open/close watermarks into the signal table, so the CDC user may
 * insert and delete there (table-level; syncGrants keeps exactly these table grants).
 * https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-incremental-snapshots
 */
async function grantSignalTable(conn: mysql.Connection, spec: BootstrapSpec, actions: string[]): Promise<void> {
    const grants = await showGrants(conn, { name: spec.cdcUser, host: spec.cdcHost });
    for (const db of spec.databases) {
        const target = new RegExp(`ON \`${db.name}\`\\.\`${SIGNAL_TABLE}\``, "i");
        const line = grants.find((g) => target.test(g)) ?? "";
        if (/\bINSERT\b/i.test(line) && /\bDELETE\b/i.test(line)) continue;
        await conn.query(`GRANT INSERT, DELETE ON ${quoteId(db.name)}.${SIGNAL_TABLE} TO ?@?`, [spec.cdcUser, spec.cdcHost]);
        actions.push(`grant INSERT, DELETE on ${quoteId(db.name)}.${SIGNAL_TABLE}`);
    }
}

async function ensureCdcUser(conn: mysql.Connection, spec: BootstrapSpec, actions: string[]): Promise<void> {
    const account = [spec.cdcUser, spec.cdcHost];
    if (!(await userExists(conn, spec.cdcUser, spec.cdcHost))) {
        await conn.query("CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?", [...account, spec.cdcPassword]);
        actions.push(`create user ${spec.cdcUser}@${spec.cdcHost}`);
    } else if (!(await passwordMatches(spec))) {
        await conn.query("ALTER USER ?@? IDENTIFIED BY ?", [...account, spec.cdcPassword]);
        actions.push(`rotate password of ${spec.cdcUser}@${spec.cdcHost}`);
    }
    const [tls] = await conn.query<mysql.RowDataPacket[]>("SELECT ssl_type FROM mysql.user WHERE User = ? AND Host = ?", account);
    const requiresTls = String(tls[0]?.ssl_type ?? "") !== "";
    if (requiresTls !== spec.requireTls) {
        await conn.query(`ALTER USER ?@? REQUIRE ${spec.requireTls ? "SSL" : "NONE"}`, account);
        actions.push(`${spec.requireTls ? "require" : "stop requiring"} TLS for ${spec.cdcUser}@${spec.cdcHost}`);
    }
}

/** Applies the whole bootstrap. Safe to repeat: unchanged inputs produce no actions. */
export async function applyBootstrap(spec: BootstrapSpec): Promise<BootstrapResult> {
    return withAdmin(spec, async (conn) => {
        const actions: string[] = [];
        const server = await detectServer(conn);
        await applySchema(conn, spec, actions);
        await ensureCdcUser(conn, spec, actions);
        await syncGrants(conn, spec, actions);
        await grantSignalTable(conn, spec, actions);
        if (server.isRds) {
            const hours = await rdsBinlogRetentionHours(conn);
            if (hours !== spec.binlogRetentionHours) {
                await conn.query("CALL mysql.rds_set_configuration('binlog retention hours', ?)", [spec.binlogRetentionHours]);
                actions.push(`set RDS binlog retention hours ${hours ?? "NULL"} -> ${spec.binlogRetentionHours}`);
            }
        }
        const grants = await showGrants(conn, { name: spec.cdcUser, host: spec.cdcHost });
        const migrations = await appliedMigrations(conn, spec.databases);
        return { server, migrations, actions, grants: grants.map((g) => g.replace(/IDENTIFIED BY PASSWORD '[^']*'/i, "IDENTIFIED BY PASSWORD '***'")) };
    });
}

/** Revokes and drops the CDC user. Databases and their data are never dropped. */
export async function removeCdcUser(spec: Pick<BootstrapSpec, "host" | "port" | "adminUser" | "adminPassword" | "tls" | "caPem" | "cdcUser" | "cdcHost" | "cdcPassword">): Promise<string[]> {
    const full: BootstrapSpec = { ...spec, databases: [], requireTls: false, binlogRetentionHours: 0 };
    return withAdmin(full, async (conn) => {
        if (!(await userExists(conn, spec.cdcUser, spec.cdcHost))) return [];
        await conn.query("REVOKE ALL PRIVILEGES, GRANT OPTION FROM ?@?", [spec.cdcUser, spec.cdcHost]);
        await conn.query("DROP USER IF EXISTS ?@?", [spec.cdcUser, spec.cdcHost]);
        return [`drop user ${spec.cdcUser}@${spec.cdcHost}`];
    });
}

// ---- dynamic provider ------------------------------------------------------------------------

/**
 * State kept for the resource: the inputs minus the CDC password (kept only as a hash with the
 * account name, for diffs) and the DDL text (kept as a fingerprint). The admin password stays so
 * delete can revoke the user; it is stored as a secret (additionalSecretOutputs).
 */
export interface BootstrapOutputs extends Omit<BootstrapSpec, "cdcPassword" | "databases"> {
    databases: string[];
    schemaSha256: string;
    cdcPasswordSha256: string;
    serverFlavor: string;
    serverVersion: string;
    isRds: boolean;
    grants: string[];
    /** `database V### checksum file` of every applied migration (checked at preview by `check`). */
    migrations: string[];
}

export function sha256(...parts: string[]): string {
    // Required here, not imported: an imported module object does not survive the closure
    // serializer under every transpiler (SWC wraps it), and this runs in the provider host.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    return crypto.createHash("sha256").update(parts.join("\u0000")).digest("hex");
}

function schemaFingerprint(databases: readonly BootstrapDatabase[]): string {
    return sha256(...databases.flatMap((d) => [d.name, ...d.migrations.flatMap((m) => [m.file, m.sql]), d.seed ?? ""]));
}

function toOutputs(spec: BootstrapSpec, result: BootstrapResult): BootstrapOutputs {
    const { cdcPassword, databases, ...kept } = spec;
    return {
        ...kept,
        databases: databases.map((d) => d.name),
        schemaSha256: schemaFingerprint(databases),
        cdcPasswordSha256: sha256(spec.cdcUser, spec.cdcHost, cdcPassword),
        serverFlavor: result.server.flavor,
        serverVersion: result.server.version,
        isRds: result.server.isRds,
        grants: result.grants,
        migrations: result.migrations,
    };
}

/**
 * Pure, at preview: an applied migration (recorded in the state) whose text changed is refused
 * before anything runs, naming the file. The server refuses it again at update (history table).
 */
export function editedAppliedMigrations(olds: Partial<BootstrapOutputs> | undefined, news: BootstrapSpec): string[] {
    const problems: string[] = [];
    for (const record of olds?.migrations ?? []) {
        const [database, version, checksum, file] = record.split(" ");
        const now = news.databases.find((d) => d.name === database)?.migrations.find((m) => versionLabel(m.version) === version);
        if (now && migrationChecksum(now.sql) !== checksum) {
            problems.push(`${file}: edited after it was applied to ${database}; applied migrations are immutable: restore it and add the change as a new migration`);
        }
    }
    return problems;
}

/** Pure: what changed between the stored state and new inputs. */
export function diffBootstrap(olds: BootstrapOutputs, news: BootstrapSpec): pulumi.dynamic.DiffResult {
    const replaces = (["host", "port", "cdcUser", "cdcHost"] as const).filter((k) => olds[k] !== news[k]);
    const changed =
        replaces.length > 0 ||
        olds.schemaSha256 !== schemaFingerprint(news.databases) ||
        olds.cdcPasswordSha256 !== sha256(news.cdcUser, news.cdcHost, news.cdcPassword) ||
        olds.binlogRetentionHours !== news.binlogRetentionHours ||
        olds.requireTls !== news.requireTls ||
        olds.tls !== news.tls ||
        olds.caPem !== news.caPem ||
        olds.adminUser !== news.adminUser ||
        olds.adminPassword !== news.adminPassword;
    return { changes: changed, replaces, deleteBeforeReplace: false };
}

export const mysqlBootstrapProvider: pulumi.dynamic.ResourceProvider = {
    async check(olds: BootstrapOutputs, news: BootstrapSpec) {
        const failures = editedAppliedMigrations(olds, news).map((reason) => ({ property: "databases", reason }));
        return { inputs: news, failures };
    },
    async diff(_id: string, olds: BootstrapOutputs, news: BootstrapSpec) {
        return diffBootstrap(olds, news);
    },
    async create(inputs: BootstrapSpec) {
        const result = await applyBootstrap(inputs);
        return { id: `${inputs.host}:${inputs.port}/${inputs.cdcUser}@${inputs.cdcHost}`, outs: toOutputs(inputs, result) };
    },
    async update(_id: string, _olds: BootstrapOutputs, news: BootstrapSpec) {
        // Grants are synchronised to the new database list, so a removed database loses its
        // grants while its data stays.
        const result = await applyBootstrap(news);
        return { outs: toOutputs(news, result) };
    },
    async delete(_id: string, props: BootstrapOutputs) {
        await removeCdcUser({ ...props, cdcPassword: "" });
    },
};

/** How a dynamic provider reaches MySQL as its administrator (the bootstrap, the snapshot signal). */
export interface MySqlAdminArgs {
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    adminUser: pulumi.Input<string>;
    adminPassword: pulumi.Input<string>;
    tls: pulumi.Input<TlsMode>;
    caPem?: pulumi.Input<string>;
}

export interface MySqlBootstrapArgs extends MySqlAdminArgs {
    databases: pulumi.Input<BootstrapDatabase[]>;
    cdcUser: pulumi.Input<string>;
    cdcHost: pulumi.Input<string>;
    cdcPassword: pulumi.Input<string>;
    requireTls: pulumi.Input<boolean>;
    binlogRetentionHours: pulumi.Input<number>;
}

/** The bootstrap as a resource; run after the instance exists (pass it in `dependsOn`). */
export class MySqlBootstrap extends pulumi.dynamic.Resource {
    declare readonly cdcUser: pulumi.Output<string>;
    declare readonly databases: pulumi.Output<string[]>;
    declare readonly serverFlavor: pulumi.Output<string>;
    declare readonly isRds: pulumi.Output<boolean>;
    declare readonly grants: pulumi.Output<string[]>;

    constructor(name: string, args: MySqlBootstrapArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            mysqlBootstrapProvider,
            name,
            {
                ...args,
                adminPassword: pulumi.secret(args.adminPassword),
                cdcPassword: pulumi.secret(args.cdcPassword),
                serverFlavor: undefined,
                serverVersion: undefined,
                isRds: undefined,
                grants: undefined,
                migrations: undefined,
                schemaSha256: undefined,
                cdcPasswordSha256: undefined,
            },
            { ...opts, additionalSecretOutputs: ["adminPassword", "cdcPassword", "cdcPasswordSha256"] },
        );
    }
}
