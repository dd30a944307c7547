// Sinks: S3 lake and audit archive, Snowflake warehouse, sink connectors.
export * from "./auditReplication";
export * from "./evidenceArchive";
export * from "./lake";
export * from "./sinkConnectors";
export * from "./sinks";
export * from "./warehouse";
