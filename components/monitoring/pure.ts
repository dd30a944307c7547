// The monitoring folder's pure side: alert intents and rules, the metrics vocabulary and the Streams
// apps' metric names, without the Grafana resources. For command-line programs and components that
// must not load the Grafana SDK (index.ts re-exports all of it too).
export * from "./alerts";
export * from "./metricsVocabulary";
export * from "./streamsMetrics";
