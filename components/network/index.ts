// How the workloads in the private subnets reach the AWS APIs (network.awsApiAccess).
export * from "./awsApiEndpoints";
export * from "./internetRoute";
