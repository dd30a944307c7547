// Preloaded into a command under test (NODE_OPTIONS="--require <this file>"): when the process
// exits, writes the npm packages it loaded to $LIFESCI_LOADED_PACKAGES_FILE as a JSON array. The
// --help test reads it to prove that usage is printed before the program (and the Pulumi SDK) loads.
// Plain JavaScript: it runs before any transpiler.
"use strict";
const fs = require("fs");

const file = process.env.LIFESCI_LOADED_PACKAGES_FILE;
if (file) {
    process.on("exit", () => {
        const packages = new Set();
        for (const id of Object.keys(require.cache)) {
            const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(id.slice(id.lastIndexOf("node_modules") - 1));
            if (match) packages.add(match[1].replace(/\\/g, "/"));
        }
        fs.writeFileSync(file, JSON.stringify([...packages].sort()));
    });
}
