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
