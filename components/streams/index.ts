// Streams: the Kafka Streams apps of the catalog on ECS Fargate (image, identity, secret, service).
export * from "./grants";
export * from "./image";
export * from "./streamsApps";
export * from "./taskDefinition";
