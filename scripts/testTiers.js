// The test tiers' globs, read from package.json's scripts so they live once: the fast tier is
// `test:unit` (spec globs and --ignore globs), the integration tier `test:integration`; TEST_TIERS=all
// runs the spec globs of both without the ignores. Plain JavaScript: scripts/test.js loads it.
// test/testTiers.test.ts proves every test file lands in exactly one tier, and all of them in "all".

/** A mocha script's spec globs and --ignore globs (single-quoted words, as package.json writes them). */
function mochaGlobs(script) {
    const words = script.split(/\s+/).filter((w) => w.length > 0);
    if (words[0] !== "mocha") throw new Error(`not a mocha script: ${script}`);
    const specs = [];
    const ignores = [];
    for (let i = 1; i < words.length; i++) {
        if (words[i] === "--ignore") ignores.push(unquote(words[++i], script));
        else if (words[i].startsWith("-")) throw new Error(`option ${words[i]} in "${script}": scripts/testTiers.js does not know it`);
        else specs.push(unquote(words[i], script));
    }
    return { specs, ignores };
}

function unquote(word, script) {
    const m = /^'([^']+)'$/.exec(word || "");
    if (!m) throw new Error(`expected a single-quoted glob in "${script}", got ${word}`);
    return m[1];
}

/** The spec globs of both tiers together, without the fast tier's ignores: TEST_TIERS=all. */
function allTierSpecs(scripts) {
    return [...new Set([...mochaGlobs(scripts["test:unit"]).specs, ...mochaGlobs(scripts["test:integration"]).specs])];
}

module.exports = { mochaGlobs, allTierSpecs };
