// Maven, the way the project runs it: batch mode, quiet, a given local repository (the e2e run's
// is e2e/.cache/m2, git-ignored), errors with Maven's last lines and an install hint.
import { execFileSync } from "child_process";
import * as path from "path";

export const MAVEN_INSTALL_HINT = "apt-get install -y --no-install-recommends maven openjdk-17-jdk-headless";

export function mvn(pom: string, args: string[], localRepo: string): string {
    try {
        return execFileSync("mvn", ["-B", "-q", "-f", pom, `-Dmaven.repo.local=${localRepo}`, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 << 20 });
    } catch (err) {
        const e = err as { code?: string; stdout?: string; stderr?: string };
        if (e.code === "ENOENT") throw new Error(`Maven (mvn) and a JDK 17 are needed on PATH: ${MAVEN_INSTALL_HINT}`);
        throw new Error(`mvn -f ${path.relative(process.cwd(), pom)} ${args.join(" ")} failed:\n${`${e.stdout ?? ""}${e.stderr ?? ""}`.trim().split("\n").slice(-15).join("\n")}`);
    }
}
