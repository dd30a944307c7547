// One local connector on the Connect worker: the mapped config, its secrets checked complete, and
// the entry the monitoring estate lists it by. Source and sink sub-components both use it.
import * as pulumi from "@pulumi/pulumi";
import { DomainName } from "../components/catalog";
import { describeUncreatedTopics, uncreatedConnectorTopics } from "../components/connectorTopics";
import { ConnectConnector } from "./connectProvider";
import { LocalConnectorConfig } from "./connectorMapping";
import { LocalStreaming } from "./streaming";

export interface MonitoredLocalConnector {
    name: string;
    id: pulumi.Input<string>;
    kind: "source" | "sink";
    domain?: DomainName;
}

export interface LocalConnectorSpec {
    /** Logical name of the resource (`<platform>-connector-<id>`). */
    resourceName: string;
    connectorName: string;
    built: LocalConnectorConfig;
    sensitive: Record<string, pulumi.Input<string>>;
    dependsOn: pulumi.Resource[];
    domain?: DomainName;
}

export function localConnector(
    streaming: LocalStreaming,
    opts: pulumi.CustomResourceOptions,
    spec: LocalConnectorSpec,
): { connector: ConnectConnector; monitored: MonitoredLocalConnector } {
    const missing = spec.built.sensitiveKeys.filter((k) => !(k in spec.sensitive));
    if (missing.length) throw new Error(`connector ${spec.connectorName}: no value for sensitive key(s) ${missing.join(", ")}`);
    // The local broker does not auto-create topics (like Confluent Cloud): a topic the connector
    // writes that topics-init does not create would stop it at its first write.
    const uncreated = describeUncreatedTopics(spec.connectorName, uncreatedConnectorTopics(spec.built.config, streaming.createdTopics));
    if (uncreated.length) throw new Error(`${uncreated.join("; ")}; declare it in components/catalog.ts (allTopics)`);
    const connector = new ConnectConnector(
        spec.resourceName,
        { endpoint: streaming.connectEndpoint, name: spec.connectorName, config: spec.built.config, configSensitive: spec.sensitive },
        { ...opts, dependsOn: [streaming.connect, streaming.topicsInit, ...spec.dependsOn] },
    );
    return { connector, monitored: { name: spec.connectorName, id: connector.id, kind: spec.domain ? "source" : "sink", domain: spec.domain } };
}
