// What `npm run local` needs before it starts anything: a reachable Docker daemon, the local
// stack's ports free (or already held by this stack's own containers), and a Pulumi CLI (found
// on PATH or installed, pinned, into a project-local folder). Each problem says how to fix it.
// The checks go through an injected probe, so the logic is tested without Docker.

export interface PrerequisiteProbe {
    /** Docker daemon version, or an error message when it cannot be reached. */
    dockerServerVersion(): Promise<{ version: string } | { error: string }>;
    portFree(port: number): Promise<boolean>;
    /** Host ports published by this stack's running containers. */
    portsHeldByStack(): Promise<Set<number>>;
    /** Version of a usable Pulumi CLI (PATH or the project-local folder), if any. */
    pulumiVersion(): Promise<string | undefined>;
    /** Installs the pinned CLI into the project-local folder; returns its version. */
    installPulumi(version: string): Promise<string>;
}

export interface Problem {
    what: string;
    fix: string;
}

export interface PrerequisiteReport {
    problems: Problem[];
    /** What was found or done, for the operator. */
    notes: string[];
}

export interface PrerequisiteOptions {
    ports: Record<string, number>;
    pulumiVersion: string;
    pulumiInstallDir: string;
    /** Install the CLI when missing (default true); false only reports it. */
    installPulumi?: boolean;
    /** For `up`: the Connect image's downloads and its pin file, checked before any build starts. */
    connectPlugins?: PluginPins;
}

export interface PluginPins {
    /** Every file the Connect Dockerfile downloads (local/versions.ts connectPluginDownloads). */
    downloads: readonly { file: string; url: string }[];
    /** The pin file's path as the operator sees it, and its text ("" when missing). */
    pinFile: string;
    pinned: string;
}

/**
 * Downloads the Connect image would refuse: the Dockerfile fails on a file without a
 * `<sha256>  <file>` line, but only deep inside `pulumi up`, after the other containers started.
 */
export function pluginPinProblems(pins: PluginPins): Problem[] {
    const pinned = new Set([...pins.pinned.matchAll(/^[0-9a-f]{64} {2}(\S+)$/gm)].map((m) => m[1]));
    const missing = pins.downloads.filter((d) => !pinned.has(d.file));
    if (missing.length === 0) return [];
    const state = pins.pinned.trim() === "" ? "is empty" : `has no SHA-256 for ${missing.length} of the ${pins.downloads.length} files the Connect image downloads`;
    return [
        {
            what: `${pins.pinFile} ${state}: ${missing.map((d) => `${d.file} (${d.url})`).join(", ")}`,
            fix: `run \`npm run local:pin-plugins\` once on a trusted network (it downloads each file and writes its SHA-256), compare the sums with the publishers', commit ${pins.pinFile}`,
        },
    ];
}

export async function checkPrerequisites(probe: PrerequisiteProbe, opts: PrerequisiteOptions): Promise<PrerequisiteReport> {
    const problems: Problem[] = [];
    const notes: string[] = [];

    const docker = await probe.dockerServerVersion();
    if ("error" in docker) {
        problems.push({
            what: `Docker daemon not reachable: ${docker.error}`,
            fix: "start Docker Desktop (or `sudo systemctl start docker`); if it runs elsewhere, set DOCKER_HOST",
        });
    } else {
        notes.push(`Docker ${docker.version}`);
        const held = await probe.portsHeldByStack();
        for (const [service, port] of Object.entries(opts.ports)) {
            if (held.has(port)) continue;
            if (!(await probe.portFree(port))) {
                problems.push({
                    what: `port ${port} on 127.0.0.1 (${service}) is in use by another program`,
                    fix: `stop what listens on it (\`lsof -iTCP:${port} -sTCP:LISTEN\`), or change LOCAL_PORTS.${service} in local/versions.ts`,
                });
            }
        }
    }

    if (opts.connectPlugins) problems.push(...pluginPinProblems(opts.connectPlugins));

    const found = await probe.pulumiVersion();
    if (found) {
        notes.push(`Pulumi CLI ${found}`);
    } else if (opts.installPulumi === false) {
        problems.push({
            what: "Pulumi CLI not found",
            fix: `install it (https://www.pulumi.com/docs/install/) or run \`npm run local\`, which installs ${opts.pulumiVersion} into ${opts.pulumiInstallDir}`,
        });
    } else {
        try {
            const installed = await probe.installPulumi(opts.pulumiVersion);
            notes.push(`Pulumi CLI ${installed} installed into ${opts.pulumiInstallDir}`);
        } catch (err) {
            problems.push({
                what: `Pulumi CLI not found, and installing ${opts.pulumiVersion} into ${opts.pulumiInstallDir} failed: ${(err as Error).message.split("\n")[0]}`,
                fix: "check the network connection, or install the CLI yourself: https://www.pulumi.com/docs/install/",
            });
        }
    }
    return { problems, notes };
}

export function formatPrerequisites(report: PrerequisiteReport): string {
    if (report.problems.length === 0) return `Prerequisites OK (${report.notes.join(", ")})`;
    return [
        `Missing prerequisites (${report.problems.length}):`,
        ...report.problems.flatMap((p) => [`  - ${p.what}`, `    fix: ${p.fix}`]),
    ].join("\n");
}

/** Host ports in `docker ps --format {{.Ports}}` output, e.g. "127.0.0.1:3307->3306/tcp, ...". */
export function parseDockerPorts(text: string): Set<number> {
    const ports = new Set<number>();
    for (const m of text.matchAll(/:(\d+)->\d+\/(?:tcp|udp)/g)) ports.add(Number(m[1]));
    return ports;
}

/**
 * What to do when `pulumi destroy` of the local stack fails: remove what this stack created by
 * its names, then forget the state (it only describes this laptop's containers).
 */
export function localCleanupHint(namePrefix: string, stateDir: string): string {
    return [
        "To clean up by hand:",
        `  docker rm -f $(docker ps -aq --filter name=^${namePrefix}-)`,
        `  docker volume rm $(docker volume ls -q --filter name=^${namePrefix}-)`,
        `  docker network rm ${namePrefix}`,
        `then either run \`npm run local:down\` again, or drop the local state with \`rm -rf ${stateDir}\` (it holds only this laptop's local stack).`,
    ].join("\n");
}
