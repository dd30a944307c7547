// Monitoring: Grafana Cloud ingest, dashboards, alert intents, metrics vocabulary.
export * from "./alerts";
export * from "./dashboards";
export * from "./grafanaCloud";
export * from "./metricsVocabulary";
export * from "./monitoring";
export * from "./streamsMetrics";
