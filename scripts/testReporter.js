// mocha reporter for npm test: the usual spec output on the console, plus mocha's own JSON report
// written to $TEST_REPORT (the evidence pack's "how it was tested" facts). Plain JavaScript: mocha
// loads it before any transpiler.
const Mocha = require("mocha");

function SpecAndJson(runner, options) {
    new Mocha.reporters.Spec(runner, options);
    const output = process.env.TEST_REPORT;
    if (!output) throw new Error("scripts/testReporter.js: set TEST_REPORT=<file> for the JSON report");
    new Mocha.reporters.JSON(runner, { ...options, reporterOption: { ...(options && options.reporterOption), output } });
}

module.exports = SpecAndJson;
