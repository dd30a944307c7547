// Streaming: Confluent environment, cluster, topics, workload identities.
export * from "./streaming";
