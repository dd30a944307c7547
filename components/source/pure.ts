// The source folder's pure side: the MySQL client (connections, server detection, grants), the
// effective-schema reader and the migration files, without the Pulumi resources. For command-line
// programs and checks that must not load the SDK (index.ts re-exports all of it too).
export * from "./mysqlClient";
export * from "./effectiveSchema";
export * from "./migrations";
