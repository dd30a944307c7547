// The monitoring folder's pure side: alert intents and rules, and the metrics vocabulary, without
// the Grafana resources. For command-line programs that must not load the SDK (index.ts re-exports
// all of it too).
export * from "./alerts";
export * from "./metricsVocabulary";
