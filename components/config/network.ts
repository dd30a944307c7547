// The workloads' way out of the private subnets (network.awsApiAccess, network.internetEgress):
// which destinations outside AWS they need, and the combinations that cannot work. Pure: the
// config checks and the network component read the same answers.
import { STREAMS_APPS } from "../catalog";
import { AWS_API_ACCESS_MODES, InternetEgress, NetworkConfig, PROJECT_NAMESPACE, PlatformConfig } from "./schema";

const key = (name: string) => `${PROJECT_NAMESPACE}:network.${name}`;

/** internetEgress as set, or what awsApiAccess implies: a NAT carries everything; endpoints alone reach AWS only. */
export function effectiveInternetEgress(network: NetworkConfig): InternetEgress {
    return network.internetEgress ?? (network.awsApiAccess === "endpoints" ? "none" : "nat");
}

/**
 * Destinations outside AWS that the workloads in the private subnets must reach. No VPC
 * endpoint of AWS leads there: only a route to the internet (a NAT gateway) does.
 */
export function internetDestinations(cfg: Pick<PlatformConfig, "mysql">): string[] {
    const destinations: string[] = [];
    if (STREAMS_APPS.length === 0) return destinations;
    // mysql.network public = a cluster without private networking: its brokers have public
    // addresses only (https://docs.confluent.io/cloud/current/networking/overview.html).
    if (cfg.mysql.network === "public") {
        destinations.push("Confluent Cloud's public Kafka brokers (mysql.network public: the cluster has no private endpoint; the Kafka Streams tasks connect on 9092)");
    }
    // The Streams apps read Avro by schema id from the environment's Schema Registry, whose REST
    // endpoint the program uses is the public one in every tier (components/streams).
    destinations.push("Confluent Schema Registry's public REST endpoint (the Kafka Streams apps fetch Avro writer schemas over HTTPS 443)");
    return destinations;
}

/** Why the stack's network choice cannot work, each naming its key (target cloud only). */
export function networkProblems(cfg: PlatformConfig): string[] {
    if (cfg.target !== "cloud") return [];
    const { network } = cfg;
    if (network.awsApiAccess === undefined) {
        return [
            `${key("awsApiAccess")}: required for tier ${cfg.tier}: say how the workloads' private subnets reach the AWS APIs ` +
                `(ECR, Secrets Manager, CloudWatch Logs, RDS, ELB): ${AWS_API_ACCESS_MODES.map((m) => `"${m}"`).join(" or ")}; ` +
                "nat = your NAT gateway carries them and the program creates nothing, endpoints = the program creates the VPC endpoints (README \"Network: how the workloads reach AWS\")",
        ];
    }
    if (cfg.mysql.network === "public" && network.workloadSubnetIds === undefined) {
        return [
            `${key("workloadSubnetIds")}: required while mysql.network is public: the database's subnets ` +
                `(${cfg.mysql.subnetIds ? "mysql.subnetIds" : "the account's default VPC"}) route to an internet gateway, and the Kafka Streams tasks run ` +
                "without a public IP, so there they could not even pull their image; list private subnets of the same VPC whose route tables send 0.0.0.0/0 through a NAT gateway",
        ];
    }
    if (network.awsApiAccess === "nat" && network.internetEgress === "none") {
        return [`${key("internetEgress")}: none contradicts awsApiAccess nat (a NAT gateway is a route to the internet); set internetEgress nat, or awsApiAccess endpoints`];
    }
    const destinations = internetDestinations(cfg);
    if (effectiveInternetEgress(network) === "none" && destinations.length > 0) {
        // Name the key the user set: an explicit internetEgress none, else the awsApiAccess that implied it.
        const blamed = network.internetEgress === "none" ? key("internetEgress") : key("awsApiAccess");
        return [
            `${blamed}: endpoints reach the AWS APIs only, and without a route to the internet the workloads cannot reach ` +
                `${destinations.join("; ")}. Keep awsApiAccess nat, or add a NAT gateway to the private subnets and set network.internetEgress nat ` +
                "(the endpoints then carry the AWS API calls, the NAT the rest)",
        ];
    }
    return [];
}
