// Snowflake: the database the sink connectors load (schema CDC for current row state of chosen
// captured tables, CURATED for ksqlDB outputs), a warehouse for analysts that suspends itself,
// and the connector's own role and service user (RSA key pair; the private key never leaves
// Pulumi secrets). Tables come from the catalog, their columns from the MySQL DDL or the
// declared ksqlDB output schema, through the type mappings below.
import * as pulumi from "@pulumi/pulumi";
import * as snowflake from "@pulumi/snowflake";
import * as tls from "@pulumi/tls";
import { DOMAINS, KsqlOutputColumn, WarehouseTable, warehouseRecordKey, warehouseSchemaKind } from "../catalog";
import { WarehouseConfig } from "../config";
import { DdlColumn, DdlTable, domainTables } from "../ddl";
import { connectTypeForColumn, ksqlToSnowflakeType, mysqlToSnowflakeType } from "../sqlTypes";
import { pemBody } from "./sinkConnectors";

export interface WarehouseColumn {
    name: string;
    type: string;
    nullable: boolean;
}

/** Schemas of the database, by the kind of source their tables load from. */
export const WAREHOUSE_SCHEMAS = { cdc: "CDC", ksql: "CURATED" } as const;

/** Provider features this component uses that snowflake v1 still calls preview. */
export const SNOWFLAKE_PREVIEW_FEATURES = ["snowflake_table_resource"];

/** With schematization the connector writes the Kafka metadata to this VARIANT column. */
const RECORD_METADATA: WarehouseColumn = { name: "RECORD_METADATA", type: "VARIANT", nullable: true };
/** ExtractNewRecordState (delete.tombstone.handling.mode=rewrite) marks deleted rows with this field. */
const DELETED_MARKER: WarehouseColumn = { name: "__DELETED", type: "VARCHAR", nullable: true };

/** Columns of a warehouse table, derived from its source's schema. Errors name the table. */
export function warehouseTableColumns(table: WarehouseTable, read: (domain: string) => DdlTable[] = (d) => domainTables(d)): WarehouseColumn[] {
    const source = table.source;
    // Declared columns: ksqlDB outputs and Kafka Streams outputs.
    if (source.kind === "ksql" || source.kind === "streams") {
        return [
            RECORD_METADATA,
            ...source.columns.map((c: KsqlOutputColumn) => ({
                name: c.name.toUpperCase(),
                type: ksqlToSnowflakeType(c.type, `warehouse table ${table.name}`),
                nullable: true,
            })),
        ];
    }
    const domain = DOMAINS.find((d) => d.name === source.domain);
    if (!domain) throw new Error(`warehouse table ${table.name}: unknown domain "${source.domain}"`);
    const where = `warehouse table ${table.name} (${domain.database}.${source.table}, sql/mysql/${domain.name}/)`;
    const ddl = read(domain.name).find((t) => t.name === source.table);
    if (!ddl) throw new Error(`${where}: no migration creates ${source.table}`);
    return [
        RECORD_METADATA,
        ...ddl.columns.map((c) => ({ name: c.name.toUpperCase(), type: mysqlToSnowflakeType(c, where), nullable: c.nullable })),
        DELETED_MARKER,
    ];
}

/**
 * How a warehouse table's columns change. CDC tables follow their source: the Snowflake sink's
 * schema evolution adds a column when records carry a new field and drops NOT NULL from a
 * column records leave out (ENABLE_SCHEMA_EVOLUTION on the table, EVOLVE SCHEMA for the role):
 *   https://docs.snowflake.com/user-guide/snowpipe-streaming/snowpipe-streaming-classic-kafka-schema-detection
 *   https://docs.snowflake.com/en/user-guide/data-load-schema-evolution
 * Other changes (a type, a dropped column) are not evolved: schema:check reports them.
 * Curated tables (ksqlDB outputs) change only through the catalog's declared output columns:
 * no schema evolution, so a field the catalog does not declare is an error in the sink's DLQ,
 * not a silent new column.
 */
export type WarehouseEvolution = "schema-evolution" | "catalog";

export function warehouseEvolution(table: WarehouseTable): WarehouseEvolution {
    return table.source.kind === "cdc" ? "schema-evolution" : "catalog";
}

/**
 * The warehouse contract for a live table: every expected column with its type; CDC tables may
 * carry more (columns the connector added after a migration), curated tables may not.
 */
export function warehouseContractProblems(table: WarehouseTable, actual: readonly WarehouseColumn[], expected: readonly WarehouseColumn[] = warehouseTableColumns(table)): string[] {
    return tableColumnMismatches(table.name, actual, expected, { allowExtra: warehouseEvolution(table) === "schema-evolution" });
}

/** Differences between a table's actual and expected columns, one message per column, naming both. */
export function tableColumnMismatches(table: string, actual: readonly WarehouseColumn[], expected: readonly WarehouseColumn[], options: { allowExtra?: boolean } = {}): string[] {
    const problems: string[] = [];
    const byName = new Map(actual.map((c) => [c.name, c]));
    for (const want of expected) {
        const got = byName.get(want.name);
        if (!got) {
            problems.push(`${table}.${want.name}: missing (expected ${want.type})`);
        } else if (got.type !== want.type || got.nullable !== want.nullable) {
            const show = (c: WarehouseColumn) => `${c.type}${c.nullable ? "" : " NOT NULL"}`;
            problems.push(`${table}.${want.name}: is ${show(got)}, expected ${show(want)}`);
        }
    }
    for (const got of actual) {
        if (!options.allowExtra && !expected.some((c) => c.name === got.name)) problems.push(`${table}.${got.name}: not in the source schema`);
    }
    return problems;
}

/** `"DB"."SCHEMA"` / `"DB"."SCHEMA"."TABLE"`: quoted so names are taken exactly. */
export function qualifiedName(...parts: string[]): string {
    return parts.map((p) => `"${p.replace(/"/g, '""')}"`).join(".");
}

export interface WarehouseArgs {
    namePrefix: string;
    config: WarehouseConfig;
    tables: readonly WarehouseTable[];
    protect: boolean;
}

export class Warehouse extends pulumi.ComponentResource {
    readonly provider: snowflake.Provider;
    readonly database: snowflake.Database;
    readonly schemas: Record<"cdc" | "ksql", snowflake.Schema>;
    readonly warehouse: snowflake.Warehouse;
    readonly role: snowflake.AccountRole;
    readonly user: snowflake.ServiceUser;
    readonly tables: Map<string, snowflake.Table>;
    /** The connector's private key (PKCS#8 body on one line), secret. */
    readonly connectorPrivateKey: pulumi.Output<string>;
    /** Everything the sink connectors need before they start. */
    readonly ready: pulumi.Resource[];
    readonly databaseName: string;
    readonly roleName: string;
    readonly userName: string;

    constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("lifesci:warehouse:Warehouse", name, {}, opts);
        const { config } = args;
        const prefix = args.namePrefix.toUpperCase().replace(/-/g, "_");
        const deployer = new pulumi.Config("snowflake");

        // Explicit provider: tables are a preview feature in snowflake v1 and must be enabled by name.
        this.provider = new snowflake.Provider(
            `${name}-provider`,
            {
                organizationName: config.organizationName,
                accountName: config.accountName,
                user: deployer.get("user"),
                role: deployer.get("role"),
                authenticator: deployer.get("privateKey") !== undefined ? "SNOWFLAKE_JWT" : undefined,
                privateKey: deployer.getSecret("privateKey"),
                previewFeaturesEnabled: SNOWFLAKE_PREVIEW_FEATURES,
            },
            { parent: this },
        );
        const child = { parent: this, provider: this.provider };
        const stateful = { ...child, protect: args.protect };

        this.databaseName = `${prefix}_STREAMING`;
        this.database = new snowflake.Database(
            `${name}-db`,
            { name: this.databaseName, comment: "Loaded by the Confluent Snowflake sinks (lifesci-streaming)", dataRetentionTimeInDays: config.dataRetentionDays },
            stateful,
        );
        const schema = (kind: "cdc" | "ksql", comment: string) =>
            new snowflake.Schema(`${name}-schema-${kind}`, { database: this.database.name, name: WAREHOUSE_SCHEMAS[kind], comment }, stateful);
        this.schemas = {
            cdc: schema("cdc", "Current row state of captured MySQL tables"),
            ksql: schema("ksql", "ksqlDB outputs"),
        };

        this.warehouse = new snowflake.Warehouse(
            `${name}-wh`,
            {
                name: `${prefix}_ANALYTICS_WH`,
                warehouseSize: config.warehouseSize,
                autoSuspend: config.autoSuspendSeconds,
                autoResume: "true",
                initiallySuspended: true,
                comment: "Analyst queries on the streaming database",
            },
            child,
        );

        this.roleName = `${prefix}_KAFKA_SINK`;
        this.role = new snowflake.AccountRole(`${name}-sink-role`, { name: this.roleName, comment: "Confluent Snowflake sink connectors" }, child);

        // Snowflake key-pair auth needs RSA of at least 2048 bits.
        const key = new tls.PrivateKey(`${name}-sink-key`, { algorithm: "RSA", rsaBits: 4096 }, { parent: this });
        this.connectorPrivateKey = pulumi.secret(key.privateKeyPemPkcs8.apply(pemBody));

        this.userName = `${prefix}_KAFKA_SINK`;
        this.user = new snowflake.ServiceUser(
            `${name}-sink-user`,
            {
                name: this.userName,
                loginName: this.userName,
                comment: "Confluent Snowflake sink connectors (key-pair auth only)",
                rsaPublicKey: key.publicKeyPem.apply(pemBody),
                defaultRole: this.role.name,
            },
            child,
        );
        const roleToUser = new snowflake.GrantAccountRole(
            `${name}-sink-role-user`,
            { roleName: this.role.name, userName: this.user.name },
            child,
        );

        const grants: pulumi.Resource[] = [
            roleToUser,
            new snowflake.GrantPrivilegesToAccountRole(
                `${name}-grant-db-usage`,
                {
                    accountRoleName: this.role.name,
                    privileges: ["USAGE"],
                    onAccountObject: { objectType: "DATABASE", objectName: this.database.name },
                },
                child,
            ),
        ];
        for (const kind of ["cdc", "ksql"] as const) {
            if (!args.tables.some((t) => warehouseSchemaKind(t) === kind)) continue;
            grants.push(
                new snowflake.GrantPrivilegesToAccountRole(
                    `${name}-grant-schema-usage-${kind}`,
                    {
                        accountRoleName: this.role.name,
                        privileges: ["USAGE"],
                        onSchema: { schemaName: pulumi.interpolate`${qualifiedName(this.databaseName, WAREHOUSE_SCHEMAS[kind])}` },
                    },
                    { ...child, dependsOn: [this.schemas[kind]] },
                ),
            );
        }

        this.tables = new Map();
        for (const table of args.tables) {
            const schemaName = WAREHOUSE_SCHEMAS[warehouseSchemaKind(table)];
            const fq = qualifiedName(this.databaseName, schemaName, table.name);
            const resource = new snowflake.Table(
                `${name}-table-${table.name}`,
                {
                    database: this.database.name,
                    schema: this.schemas[warehouseSchemaKind(table)].name,
                    name: table.name,
                    comment: table.description,
                    columns: warehouseTableColumns(table),
                },
                warehouseEvolution(table) === "schema-evolution"
                    ? // The connector adds the columns of later migrations (the effective schema grows
                      // with them); Pulumi creates the table and leaves its columns to the connector.
                      { ...stateful, ignoreChanges: ["columns"] }
                    : stateful,
            );
            this.tables.set(table.name, resource);
            const evolves = warehouseEvolution(table) === "schema-evolution";
            if (evolves) {
                // snowflake.Table has no argument for it; the connector needs it to add columns.
                grants.push(
                    new snowflake.Execute(
                        `${name}-schema-evolution-${table.name}`,
                        {
                            execute: `ALTER TABLE ${fq} SET ENABLE_SCHEMA_EVOLUTION = TRUE`,
                            revert: `ALTER TABLE ${fq} SET ENABLE_SCHEMA_EVOLUTION = FALSE`,
                        },
                        { ...child, dependsOn: [resource] },
                    ),
                );
            }
            // Schema evolution privileges (issue 22, item 3), read from both pages:
            // - Kafka connector schema detection: "use a role that has the OWNERSHIP privilege on the
            //   table" to ALTER TABLE ... SET ENABLE_SCHEMA_EVOLUTION; that is the Execute above, run by
            //   the deployer, which created and owns the table:
            //   https://docs.snowflake.com/user-guide/snowpipe-streaming/snowpipe-streaming-classic-kafka-schema-detection
            // - Table schema evolution / Snowpipe Streaming access control: the role that loads needs
            //   INSERT and EVOLVE SCHEMA (or OWNERSHIP) on the table:
            //   https://docs.snowflake.com/en/user-guide/data-load-schema-evolution
            //   https://docs.snowflake.com/en/user-guide/snowpipe-streaming/data-load-snowpipe-streaming-overview#access-control-privileges
            // So the sink role gets INSERT + EVOLVE SCHEMA and never OWNERSHIP (which would let it drop the
            // table or re-grant it). If the managed connector still needed OWNERSHIP, its records would
            // go to the DLQ: the dlq_record alert pages on the first one (README, Unverified).
            const tableGrant = new snowflake.GrantPrivilegesToAccountRole(
                `${name}-grant-table-${table.name}`,
                {
                    accountRoleName: this.role.name,
                    // Exactly what the connector does: insert rows, and (CDC tables) add columns when the record schema grows.
                    privileges: evolves ? ["INSERT", "EVOLVE SCHEMA"] : ["INSERT"],
                    onSchemaObject: { objectType: "TABLE", objectName: fq },
                },
                { ...child, dependsOn: [resource] },
            );
            grants.push(tableGrant);
        }

        this.ready = grants;
        this.registerOutputs({
            database: this.database.name,
            warehouse: this.warehouse.name,
            role: this.role.name,
            user: this.user.name,
        });
    }
}

/** A field of a Kafka Streams app's value as its Connect schema declares it (JsonConverter `fields`). */
export interface ConnectField {
    field: string;
    type: string;
    optional: boolean;
}

/**
 * Where a Kafka Streams app's value schema and the catalog's columns of its warehouse table
 * disagree: a field without a column, a column without a field (both in name order as written),
 * a field whose Connect type cannot land in its column, an optional record key. Empty when they
 * agree. The same declaration drives the Snowflake and the Postgres tables, so one check covers both.
 */
export function streamsFieldProblems(table: WarehouseTable, fields: readonly ConnectField[]): string[] {
    const source = table.source;
    if (source.kind !== "streams") throw new Error(`warehouse table ${table.name} is not a Kafka Streams output`);
    const problems: string[] = [];
    const declared = source.columns.map((c) => c.name);
    const written = fields.map((f) => f.field);
    if (declared.join(",") !== written.join(",")) {
        const missing = written.filter((f) => !declared.includes(f));
        const extra = declared.filter((c) => !written.includes(c));
        problems.push(
            `${table.name}: the app writes ${written.join(", ")}; the catalog declares ${declared.join(", ")}` +
                (missing.length ? ` (no column for ${missing.join(", ")})` : "") +
                (extra.length ? ` (no field for ${extra.join(", ")})` : ""),
        );
    }
    for (const column of source.columns) {
        const field = fields.find((f) => f.field === column.name);
        if (!field) continue;
        const expected = connectTypeForColumn(column.type, `warehouse table ${table.name} column ${column.name}`);
        if (field.type !== expected) problems.push(`${table.name}.${column.name}: the app writes Connect ${field.type}, a ${column.type} column takes ${expected}`);
    }
    const key = warehouseRecordKey(table);
    const keyField = fields.find((f) => f.field === key);
    if (keyField?.optional) problems.push(`${table.name}.${key}: the record key field is optional; the table's primary key needs it in every record`);
    return problems;
}
