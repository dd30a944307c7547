// IPv4 CIDR arithmetic for "never open the database to the world". No imports: the program
// (config validation, the MySQL security group) and the policy pack (policy/rules.ts) load this
// one module, so both judge a CIDR list by the same function.

/** Special-purpose ranges that are not reachable from the internet (RFC 6890 / IANA registry). */
export const NON_INTERNET_RANGES = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/4",
    "240.0.0.0/4",
] as const;

/** The default broadest CIDR a database may be opened to: /16 (65,536 addresses). */
export const DEFAULT_MAX_CIDR_PREFIX = 16;

type Range = [start: number, end: number]; // inclusive, as unsigned 32-bit numbers

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The address range of an IPv4 CIDR, or undefined when `cidr` is not one. */
export function ipv4Range(cidr: string): Range | undefined {
    const [address, bits, ...rest] = cidr.trim().split("/");
    if (rest.length > 0 || bits === undefined || !/^\d{1,2}$/.test(bits) || Number(bits) > 32) return undefined;
    const octets = address.split(".");
    if (octets.length !== 4 || !octets.every((o) => OCTET.test(o))) return undefined;
    const value = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(value / size) * size;
    return [start, start + size - 1];
}

/**
 * The CIDR with its host bits cleared (`10.40.1.5/16` -> `10.40.0.0/16`); undefined when it is not
 * an IPv4 CIDR. A CIDR that differs from its network was most likely meant as one host or as that
 * network: the config refuses it rather than guess.
 */
export function networkCidrOf(cidr: string): string | undefined {
    const range = ipv4Range(cidr);
    if (!range) return undefined;
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(range[0] / 2 ** shift) % 256);
    return `${octets.join(".")}/${cidr.trim().split("/")[1]}`;
}

/** The prefix length of a CIDR (`/16` -> 16); undefined when it is not an IPv4 CIDR. */
export function prefixLength(cidr: string): number | undefined {
    return ipv4Range(cidr) ? Number(cidr.trim().split("/")[1]) : undefined;
}

function merge(ranges: Range[]): Range[] {
    const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
    const out: Range[] = [];
    for (const r of sorted) {
        const last = out[out.length - 1];
        if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
        else out.push([r[0], r[1]]);
    }
    return out;
}

/** Addresses of `from` not in `remove` (both merged). */
function subtract(from: Range[], remove: Range[]): Range[] {
    let rest = from;
    for (const [rs, re] of remove) {
        rest = rest.flatMap(([s, e]): Range[] => {
            if (re < s || rs > e) return [[s, e]];
            const pieces: Range[] = [];
            if (rs > s) pieces.push([s, rs - 1]);
            if (re < e) pieces.push([re + 1, e]);
            return pieces;
        });
    }
    return rest;
}

/**
 * True when the CIDRs together cover every internet-routable IPv4 address, e.g. `0.0.0.0/1` +
 * `128.0.0.0/1`, or `0.0.0.0/0` itself: the complement of their union holds only
 * special-purpose (private, loopback, multicast...) ranges.
 */
export function coversInternet(cidrs: readonly string[]): boolean {
    const ranges = cidrs.map(ipv4Range).filter((r): r is Range => r !== undefined);
    if (ranges.length === 0) return false;
    const uncovered = subtract([[0, 2 ** 32 - 1]], merge(ranges));
    const reachable = subtract(uncovered, merge(NON_INTERNET_RANGES.map((c) => ipv4Range(c)!)));
    return reachable.length === 0;
}

/**
 * Why a list of CIDRs must not be admitted to a database port, one line each; empty when it may.
 * An IPv6 CIDR of prefix length 0 (`::/0`, also written `0::/0`, `2001:db8::/0`...) counts as the
 * whole internet; other IPv6 CIDRs are out of scope here.
 */
export function databaseCidrProblems(cidrs: readonly string[], maxPrefix: number = DEFAULT_MAX_CIDR_PREFIX): string[] {
    const problems: string[] = [];
    const ipv4: string[] = [];
    for (const cidr of cidrs) {
        if (cidr.includes(":")) {
            if (/^[0-9a-f:.]*\/0+$/i.test(cidr.trim())) problems.push(`${cidr} is the whole IPv6 internet`);
            continue;
        }
        const bits = prefixLength(cidr);
        if (bits === undefined) {
            problems.push(`"${cidr}" is not an IPv4 CIDR such as 10.20.0.0/16`);
            continue;
        }
        ipv4.push(cidr);
        if (bits < maxPrefix) problems.push(`${cidr} is broader than /${maxPrefix} (${(2 ** (32 - bits)).toLocaleString("en-US")} addresses)`);
    }
    if (coversInternet(ipv4)) problems.push(`${ipv4.join(" + ")} together cover the whole internet`);
    return problems;
}
