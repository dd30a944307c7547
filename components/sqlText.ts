// Text helpers shared by the SQL readers (MySQL DDL, ksqlDB statements).

/**
 * Splits on commas that are not inside brackets or quotes. `brackets` lists opener/closer pairs:
 * `()` for column lists and select lists; `()<>` where types such as STRUCT<a INT, b STRING> occur.
 */
export function splitTopLevel(text: string, brackets = "()", quotes = "'\"`"): string[] {
    const openers = brackets.split("").filter((_, i) => i % 2 === 0);
    const closers = brackets.split("").filter((_, i) => i % 2 === 1);
    const parts: string[] = [];
    let depth = 0;
    let quote: string | undefined;
    let current = "";
    for (const ch of text) {
        if (quote) {
            if (ch === quote) quote = undefined;
        } else if (quotes.includes(ch)) {
            quote = ch;
        } else if (openers.includes(ch)) {
            depth++;
        } else if (closers.includes(ch)) {
            depth--;
        } else if (ch === "," && depth === 0) {
            parts.push(current.trim());
            current = "";
            continue;
        }
        current += ch;
    }
    if (current.trim()) parts.push(current.trim());
    return parts;
}
