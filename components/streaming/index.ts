// Streaming: Confluent environment, cluster, topics, workload identities.
export * from "./identity";
export * from "./streaming";
export * from "./cdcAvro";
export * from "./schemaCompatibility";
export * from "./schemaGovernance";
export * from "./privateNetwork";
