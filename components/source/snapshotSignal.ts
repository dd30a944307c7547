// Backfill of tables added to a running CDC connector: Debezium-style signalling. The bootstrap
// creates one signal table per captured database; the connector names it in
// `signal.data.collection`; when a deploy adds tables to a domain, this resource (run after the
// connector update) writes one `execute-snapshot` signal of type `incremental` for exactly the
// added tables. Docs:
//   signal table shape (id, type, data) and `signal.data.collection` = <database>.<table>:
//     https://debezium.io/documentation/reference/stable/configuration/signalling.html
//   execute-snapshot, {"data-collections": [...], "type": "incremental"}; the connector writes
//   watermarks into the signal table while it snapshots (so the CDC user may INSERT/DELETE there):
//     https://debezium.io/documentation/reference/stable/connectors/mysql.html#mysql-incremental-snapshots
//   managed connector: signal.data.collection, incremental snapshots (V2 improvements):
//     https://docs.confluent.io/cloud/current/connectors/cc-mysql-source-cdc-v2-debezium/cc-mysql-source-cdc-v2-debezium.html
// Written once: the state keeps the captured list, so a re-run or an unrelated update has no
// diff; the signal id is derived from the change, so a retried update cannot insert it twice.
import * as pulumi from "@pulumi/pulumi";
import type * as mysql from "mysql2/promise";
import { SIGNAL_TABLE as CATALOG_SIGNAL_TABLE } from "../catalog";
import type { MySqlAdminArgs } from "./bootstrapProvider";
import { MySqlEndpoint, TlsMode, connectMySql } from "./mysqlClient";

// One per captured database. Not in table.include.list, but Debezium captures it anyway: its
// rows reach the catalog's signal topic (catalog.signalTopicName), created with the others.
// A module constant (a string the provider's closure captures by value), not the catalog module.
export const SIGNAL_TABLE: string = CATALOG_SIGNAL_TABLE;

/** DDL of the signal table: the three documented columns, in order. */
export function signalTableDdl(database: string): string {
    return `CREATE TABLE IF NOT EXISTS \`${database}\`.${SIGNAL_TABLE} (
  id   VARCHAR(64)   NOT NULL PRIMARY KEY,
  type VARCHAR(32)   NOT NULL,
  data VARCHAR(2048) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;
}

/** `signal.data.collection` of a domain's connector. */
export const signalDataCollection = (database: string) => `${database}.${SIGNAL_TABLE}`;

export interface SnapshotSignal {
    id: string;
    type: "execute-snapshot";
    data: string;
}

/**
 * Pure: the signal for tables present in `now` but not in `before` (both table names of one
 * database), or undefined when nothing was added. The id is a hash of the change.
 */
export function addedTablesSignal(database: string, before: readonly string[], now: readonly string[]): SnapshotSignal | undefined {
    const added = now.filter((t) => !before.includes(t)).sort();
    if (added.length === 0) return undefined;
    // Required here: this runs inside the serialized provider.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require("crypto") as typeof import("crypto");
    const id = `add-${crypto.createHash("sha256").update(JSON.stringify([database, [...before].sort(), added])).digest("hex").slice(0, 32)}`;
    return {
        id,
        type: "execute-snapshot",
        data: JSON.stringify({ "data-collections": added.map((t) => `${database}.${t}`), type: "incremental" }),
    };
}

/** Inserts the signal unless a row with its id exists; true when it wrote one. */
export async function writeSignal(conn: mysql.Connection, database: string, signal: SnapshotSignal): Promise<boolean> {
    const [result] = await conn.query<mysql.ResultSetHeader>(`INSERT IGNORE INTO \`${database}\`.${SIGNAL_TABLE} (id, type, data) VALUES (?, ?, ?)`, [
        signal.id,
        signal.type,
        signal.data,
    ]);
    return result.affectedRows === 1;
}

export interface SnapshotSignalInputs {
    host: string;
    port: number;
    adminUser: string;
    adminPassword: string;
    tls: TlsMode;
    caPem?: string;
    database: string;
    /** The tables in the connector's include list for this database. */
    tables: string[];
}

export interface SnapshotSignalOutputs extends SnapshotSignalInputs {
    /** Ids of the signals this resource wrote, newest last. */
    signalIds: string[];
}

const endpointOf = (i: SnapshotSignalInputs): MySqlEndpoint => ({ host: i.host, port: i.port, user: i.adminUser, password: i.adminPassword, tls: i.tls, caPem: i.caPem });

export const snapshotSignalProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: SnapshotSignalOutputs, news: SnapshotSignalInputs) {
        const changed = JSON.stringify([...olds.tables].sort()) !== JSON.stringify([...news.tables].sort()) || olds.host !== news.host || olds.port !== news.port;
        return { changes: changed || olds.adminPassword !== news.adminPassword || olds.tls !== news.tls, replaces: olds.database !== news.database ? ["database"] : [] };
    },
    // A new connector snapshots its tables itself (snapshot.mode initial): record, do not signal.
    async create(inputs: SnapshotSignalInputs) {
        return { id: `${inputs.host}:${inputs.port}/${inputs.database}`, outs: { ...inputs, signalIds: [] } };
    },
    async update(_id: string, olds: SnapshotSignalOutputs, news: SnapshotSignalInputs) {
        const signal = addedTablesSignal(news.database, olds.tables, news.tables);
        const signalIds = [...(olds.signalIds ?? [])];
        if (signal) {
            const conn = await connectMySql(endpointOf(news));
            try {
                await writeSignal(conn, news.database, signal);
            } finally {
                await conn.end().catch(() => undefined);
            }
            signalIds.push(signal.id);
        }
        return { outs: { ...news, signalIds } };
    },
    // Signals are history: nothing to undo.
    async delete() {},
};

export interface CdcSnapshotSignalArgs extends MySqlAdminArgs {
    database: pulumi.Input<string>;
    tables: pulumi.Input<pulumi.Input<string>[]>;
}

/** Pass the domain's CDC connector in `dependsOn`: the signal must reach the updated connector. */
export class CdcSnapshotSignal extends pulumi.dynamic.Resource {
    declare readonly signalIds: pulumi.Output<string[]>;

    constructor(name: string, args: CdcSnapshotSignalArgs, opts?: pulumi.CustomResourceOptions) {
        super(snapshotSignalProvider, name, { ...args, adminPassword: pulumi.secret(args.adminPassword), signalIds: undefined }, { ...opts, additionalSecretOutputs: ["adminPassword"] });
    }
}
