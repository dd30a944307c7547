// Streaming: Confluent environment, cluster, topics, workload identities.
export * from "./identity";
export * from "./streaming";
export * from "./privateNetwork";
