// The source: RDS MySQL, the SQL bootstrap and its MySQL client, the CDC connectors.
export * from "./bootstrapProvider";
export * from "./cdcConnectors";
export * from "./mysqlClient";
export * from "./mysqlSource";
export * from "./effectiveSchema";
export * from "./migrations";
export * from "./snapshotSignal";
export * from "./privateLink";
