// ksqlDB: the cluster, the apps (reader, renderer, contracts, what they write) and the REST provider.
export * from "./appContracts";
export * from "./appOutputs";
export * from "./appReader";
export * from "./appRenderer";
export * from "./ksqlDb";
export * from "./provider";
export * from "./outputClasses";
