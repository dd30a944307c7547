// What every local sub-component builds containers with: one network, health-checked services
// published on 127.0.0.1 only, one-shot init containers, and pinned images. Logical names stay
// `<platform>-<id>` whichever sub-component owns a resource, so the local stack's resources keep
// their identity (aliased from the platform, their parent before the split).
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { HOSTS } from "./settings";
import { IMAGES, imageReference } from "./versions";

export const loopback = (port: number) => `http://127.0.0.1:${port}`;

export interface ServiceSpec {
    image: pulumi.Input<string>;
    envs?: pulumi.Input<string>[];
    command?: string[];
    /** container port -> host port (always on 127.0.0.1) */
    ports?: [number, number][];
    volumes?: { volume: docker.Volume; path: string }[];
    healthcheck: string;
    uploads?: { file: string; content: pulumi.Input<string> }[];
    dependsOn?: pulumi.Resource[];
    startPeriod?: string;
}

/** What a local sub-component needs to place its resources: names, network, and its own parent. */
export interface LocalScope {
    /** The platform's logical name: every resource is named `<base>-<id>`. */
    base: string;
    /** The physical name prefix (`lifesci-local`). */
    prefix: string;
    network: docker.Network;
}

/** Resource options for a sub-component's children, aliased from the platform they used to hang off. */
export function childOptions(owner: pulumi.ComponentResource, formerParent: pulumi.Resource | undefined): pulumi.CustomResourceOptions {
    return { parent: owner, aliases: [{ parent: formerParent ?? pulumi.rootStackResource }] };
}

/** A long-running container: health check, `wait`, restart, ports on loopback only. */
export function service(scope: LocalScope, opts: pulumi.CustomResourceOptions, id: keyof typeof HOSTS, spec: ServiceSpec): docker.Container {
    return new docker.Container(
        `${scope.base}-${id}`,
        {
            name: `${scope.prefix}-${HOSTS[id]}`,
            hostname: HOSTS[id],
            image: spec.image,
            envs: spec.envs,
            command: spec.command,
            networksAdvanced: [{ name: scope.network.name, aliases: [HOSTS[id]] }],
            ports: (spec.ports ?? []).map(([internal, external]) => ({ internal, external, ip: "127.0.0.1" })),
            volumes: (spec.volumes ?? []).map((v) => ({ volumeName: v.volume.name, containerPath: v.path })),
            uploads: spec.uploads,
            healthcheck: {
                tests: ["CMD-SHELL", spec.healthcheck],
                interval: "5s",
                timeout: "5s",
                retries: 30,
                startPeriod: spec.startPeriod ?? "10s",
            },
            wait: true,
            waitTimeout: 300,
            restart: "unless-stopped",
        },
        { ...opts, dependsOn: spec.dependsOn },
    );
}

/** A one-shot container that runs to completion (attach) and fails the update on a non-zero exit. */
export function oneShot(
    scope: LocalScope,
    opts: pulumi.CustomResourceOptions,
    id: string,
    spec: { image: pulumi.Input<string>; shell: "bash" | "sh"; script: string; envs?: pulumi.Input<string>[]; dependsOn: pulumi.Resource[] },
): docker.Container {
    return new docker.Container(
        `${scope.base}-${id}`,
        {
            name: `${scope.prefix}-${id}`,
            image: spec.image,
            networksAdvanced: [{ name: scope.network.name }],
            envs: spec.envs,
            entrypoints: [spec.shell, "-c"],
            command: [spec.script],
            attach: true,
            logs: true,
            mustRun: false,
            restart: "no",
        },
        { ...opts, dependsOn: spec.dependsOn },
    );
}

/** A pinned image from `versions.ts`, pulled once and kept. */
export function pinnedImage(scope: LocalScope, opts: pulumi.CustomResourceOptions, key: Exclude<keyof typeof IMAGES, "connectBase">): docker.RemoteImage {
    // Pulled by digest where the tag can move (versions.ts IMAGE_DIGESTS).
    return new docker.RemoteImage(`${scope.base}-image-${key}`, { name: imageReference(key), keepLocally: true }, opts);
}

/** A named data volume: `<prefix>-<id>-data`. */
export function dataVolume(scope: LocalScope, opts: pulumi.CustomResourceOptions, id: string): docker.Volume {
    return new docker.Volume(`${scope.base}-${id}-data`, { name: `${scope.prefix}-${id}-data` }, opts);
}
